/** Hourly series on a regular grid; NaN marks an hour with no observation. */
export interface HourlySeries {
  /** Epoch ms of the first hour. */
  start: number;
  values: Float64Array;
}

export const HOUR_MS = 3_600_000;

/** Places observations on the hourly grid from the first to the last timestamp; absent hours become NaN. */
export function toHourlySeries(timestamps: ArrayLike<number>, values: ArrayLike<number | null | undefined>): HourlySeries {
  if (timestamps.length === 0) throw new Error('Cannot build an hourly series from an empty table: pass at least one row.');
  let start = Infinity;
  let end = -Infinity;
  for (let i = 0; i < timestamps.length; i++) {
    const t = timestamps[i]!;
    if (!Number.isFinite(t) || t % HOUR_MS !== 0) {
      throw new Error(`Timestamp ${t} (row ${i}) is not a whole UTC hour in epoch ms: regularise the table to hourly rows first.`);
    }
    start = Math.min(start, t);
    end = Math.max(end, t);
  }
  const series = new Float64Array((end - start) / HOUR_MS + 1).fill(NaN);
  const seen = new Uint8Array(series.length);
  for (let i = 0; i < timestamps.length; i++) {
    const slot = (timestamps[i]! - start) / HOUR_MS;
    if (seen[slot]) throw new Error(`Timestamp ${new Date(timestamps[i]!).toISOString()} appears twice: deduplicate the table to one row per hour.`);
    seen[slot] = 1;
    const v = values[i];
    series[slot] = v === null || v === undefined ? NaN : v;
  }
  return { start, values: series };
}

/**
 * Fills NaN gaps of an evenly spaced series by linear interpolation between the nearest
 * observations; leading and trailing gaps take the nearest observation (as pandas'
 * interpolate(method='time', limit_direction='both')).
 */
export function fillGapsLinearly(values: ArrayLike<number>): Float64Array {
  const filled = Float64Array.from(values);
  let previous = -1;
  for (let i = 0; i <= filled.length; i++) {
    if (i < filled.length && Number.isNaN(filled[i])) continue;
    const from = previous < 0 ? filled[i] : filled[previous];
    const to = i < filled.length ? filled[i] : filled[previous];
    if (from === undefined || to === undefined) throw new Error('Cannot fill gaps of a series with no observation at all: the column is entirely missing.');
    const atAnEnd = previous < 0 || i === filled.length;
    for (let j = previous + 1; j < i; j++) filled[j] = atAnEnd ? from : from + ((to - from) * (j - previous)) / (i - previous);
    previous = i;
  }
  return filled;
}
