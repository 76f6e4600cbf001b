export interface RollingOriginOptions {
  readonly folds: number;
  /** Rows per validation window; by default the last half of the rows is shared among the folds. */
  readonly validationRows?: number;
  /** Rows dropped between training and validation: set it to the horizon so no training target lies after a validation origin. */
  readonly gap: number;
}

export const defaultRollingOriginOptions: RollingOriginOptions = { folds: 3, gap: 0 };

/** One expanding-window fold over time-ordered rows: train on [0, trainEnd), validate on [validationStart, validationEnd). */
export interface Fold {
  readonly trainEnd: number;
  readonly validationStart: number;
  readonly validationEnd: number;
}

/** Consecutive validation windows at the end of the series, each trained on everything before it. */
export function rollingOriginFolds(rows: number, overrides: Partial<RollingOriginOptions> = {}): Fold[] {
  const { folds, gap } = { ...defaultRollingOriginOptions, ...overrides };
  const validationRows = overrides.validationRows ?? Math.floor(rows / 2 / folds);
  if (!Number.isInteger(folds) || folds < 1) throw new Error(`folds must be an integer >= 1, got ${folds}.`);
  if (!Number.isInteger(gap) || gap < 0) throw new Error(`gap must be an integer >= 0, got ${gap}.`);
  if (!Number.isInteger(validationRows) || validationRows < 1)
    throw new Error(`validationRows must be an integer >= 1, got ${validationRows}.`);
  const firstValidation = rows - folds * validationRows;
  if (firstValidation - gap < 1) {
    throw new Error(
      `${rows} rows cannot hold ${folds} validation windows of ${validationRows} rows after a gap of ${gap}; use fewer folds or fewer validation rows.`,
    );
  }
  return Array.from({ length: folds }, (_, k) => {
    const validationStart = firstValidation + k * validationRows;
    return { trainEnd: validationStart - gap, validationStart, validationEnd: validationStart + validationRows };
  });
}
