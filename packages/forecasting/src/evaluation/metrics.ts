/** 1 (or true) where the target was actually observed; only those points are scored. */
export type ObservedMask = ArrayLike<number | boolean>;

/** Mean absolute error over the observed points. */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>, observed?: ObservedMask): number {
  return meanLoss(predicted, actual, observed, (error) => Math.abs(error));
}

/** Root mean squared error over the observed points. */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>, observed?: ObservedMask): number {
  return Math.sqrt(meanLoss(predicted, actual, observed, (error) => error * error));
}

function meanLoss(
  predicted: ArrayLike<number>,
  actual: ArrayLike<number>,
  observed: ObservedMask | undefined,
  loss: (error: number) => number,
): number {
  assertAligned(predicted, actual, observed);
  let sum = 0;
  let count = 0;
  for (let i = 0; i < actual.length; i++) {
    if (observed && !observed[i]) continue;
    assertScorable(predicted[i], actual[i], i);
    sum += loss(predicted[i] - actual[i]);
    count++;
  }
  if (count === 0) throw new Error('No observed point to score; the mask excludes every row.');
  return sum / count;
}

export function assertAligned(predicted: ArrayLike<number>, actual: ArrayLike<number>, observed?: ObservedMask): void {
  if (predicted.length !== actual.length || (observed && observed.length !== actual.length)) {
    throw new Error(
      `Predictions (${predicted.length}), actual values (${actual.length})${observed ? ` and mask (${observed.length})` : ''} must have one entry per row.`,
    );
  }
}

export function assertScorable(predicted: number, actual: number, index: number): void {
  if (!Number.isFinite(actual))
    throw new Error(`Actual value at row ${index} is ${actual} but marked observed; fix the observed mask.`);
  if (!Number.isFinite(predicted))
    throw new Error(`Prediction at row ${index} is ${predicted}; every scored row needs a finite prediction.`);
}
