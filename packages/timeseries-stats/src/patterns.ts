/** Mean of the present (non-NaN) values in each bucket; NaN for an empty bucket. */
export function meanByBucket(
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  bucketOf: (timestamp: number) => number,
  buckets: number,
): number[] {
  const sums = new Float64Array(buckets);
  const counts = new Float64Array(buckets);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    const b = bucketOf(timestamps[i]!);
    sums[b]! += v;
    counts[b]!++;
  }
  return Array.from(sums, (s, b) => (counts[b] ? s / counts[b]! : NaN));
}

export const hourOfDay = (timestamp: number): number => new Date(timestamp).getUTCHours();

/** Monday = 0 … Sunday = 6 (ISO order). */
export const dayOfWeek = (timestamp: number): number => (new Date(timestamp).getUTCDay() + 6) % 7;

export const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
