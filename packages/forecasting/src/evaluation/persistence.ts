/** Targets and the persistence forecast per forecast origin t, for horizon H. */
export interface HorizonAlignment {
  /** y(t + H), NaN past the end of the series. */
  readonly target: Float64Array;
  /** 1 where y(t + H) was actually observed (not imputed, not past the end): the rows to score. */
  readonly targetObserved: Uint8Array;
  /** The persistence forecast of y(t + H): the level at the origin, y(t). */
  readonly persistence: Float64Array;
}

export function alignHorizon(
  levels: ArrayLike<number>,
  observed: ArrayLike<number | boolean>,
  horizon: number,
): HorizonAlignment {
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new Error(`Horizon must be an integer >= 1 hour, got ${horizon}.`);
  if (observed.length !== levels.length) {
    throw new Error(
      `The observed mask has ${observed.length} entries but the series has ${levels.length}; give one flag per hour.`,
    );
  }
  const n = levels.length;
  const inRange = (t: number) => t + horizon < n;
  return {
    target: Float64Array.from({ length: n }, (_, t) => (inRange(t) ? levels[t + horizon] : NaN)),
    targetObserved: Uint8Array.from({ length: n }, (_, t) => (inRange(t) && observed[t + horizon] ? 1 : 0)),
    persistence: Float64Array.from(levels),
  };
}
