import { binFeatures } from '../model/binning';
import { binnedPrefix, boostBinned, predictGbt, resolveGbtOptions, type GbtOptions } from '../model/gbt';
import { sliceRows, type FeatureMatrix } from '../model/matrix';
import { mae } from './metrics';
import { rollingOriginFolds, type Fold, type RollingOriginOptions } from './rolling-origin';

export interface GbtGrid {
  readonly maxDepth: readonly number[];
  readonly learningRate: readonly number[];
  readonly subsample: readonly number[];
  readonly colsample: readonly number[];
}

export type GbtGridPoint = Pick<GbtOptions, keyof GbtGrid>;

export interface GridSearchOptions {
  readonly grid: GbtGrid;
  readonly folds: Partial<RollingOriginOptions>;
  /**
   * Options shared by every fit. `trees` is a ceiling: each fit stops early on its fold's validation
   * window (`earlyStoppingRounds`) and is scored at its best round.
   */
  readonly fit: Partial<GbtOptions>;
  /** Refuses a search of more fits (grid points × folds) than this, to bound its cost. */
  readonly maxFits: number;
  /** Told of each fit as it is scored, so a search reports as it goes. */
  readonly onFit?: (fit: TuningFit) => void;
  /** Told of each grid point once all its folds are scored. */
  readonly onPoint?: (point: TuningPoint) => void;
}

/** One scored fit of a search: grid point p of P on fold k of K (1-based). */
export interface TuningFit {
  readonly point: number;
  readonly points: number;
  readonly fold: number;
  readonly folds: number;
  readonly params: GbtGridPoint;
  readonly mae: number;
  /** Trees kept: the best round of the fit's early stopping. */
  readonly trees: number;
}

/** Grid point p of P, scored over all its folds. */
export interface TuningPoint {
  readonly point: number;
  readonly points: number;
  readonly params: GbtGridPoint;
  readonly meanMae: number;
  readonly foldTrees: readonly number[];
}

export const defaultGridSearchOptions: GridSearchOptions = {
  grid: { maxDepth: [3, 6], learningRate: [0.05, 0.1], subsample: [0.8, 1], colsample: [0.8, 1] },
  folds: {},
  fit: { trees: 200 },
  maxFits: 64,
};

export interface TuningReport {
  readonly grid: GbtGrid;
  readonly folds: readonly Fold[];
  readonly candidates: readonly {
    readonly params: GbtGridPoint;
    readonly foldMae: readonly number[];
    readonly foldTrees: readonly number[];
    readonly meanMae: number;
  }[];
  readonly best: { readonly params: GbtGridPoint; readonly meanMae: number };
}

/**
 * Rolling-origin cross-validated grid search of the tree parameters. Rows are in time order and
 * all have an observed target (drop the others first); every fold is scored by MAE. The rows are
 * binned once (edges from all of them: quantiles of the features, no target) and every fold trains
 * on a prefix of those bins, so no fit re-bins.
 */
export function gridSearchGbt(
  features: FeatureMatrix,
  target: Float64Array | readonly number[],
  overrides: Partial<GridSearchOptions> = {},
): TuningReport {
  const options = { ...defaultGridSearchOptions, ...overrides };
  const folds = rollingOriginFolds(features.rows, options.folds);
  const points = gridPoints(options.grid);
  if (points.length * folds.length > options.maxFits) {
    throw new Error(
      `The search needs ${points.length} grid points × ${folds.length} folds = ${points.length * folds.length} fits, over maxFits=${options.maxFits}; shrink the grid or raise maxFits.`,
    );
  }
  const all = {
    features,
    binned: binFeatures(features, resolveGbtOptions(options.fit).maxBins),
    target,
  };
  const candidates = points.map((params, p) => {
    const fits = folds.map((fold, k) => {
      const validation = {
        features: sliceRows(features, fold.validationStart, fold.validationEnd),
        target: target.slice(fold.validationStart, fold.validationEnd),
      };
      const model = boostBinned(binnedPrefix(all, fold.trainEnd), validation, { ...options.fit, ...params });
      const score = mae(predictGbt(model, validation.features), validation.target);
      const trees = model.trees.length;
      options.onFit?.({
        point: p + 1,
        points: points.length,
        fold: k + 1,
        folds: folds.length,
        params,
        mae: score,
        trees,
      });
      return { score, trees };
    });
    const foldMae = fits.map((fit) => fit.score);
    const foldTrees = fits.map((fit) => fit.trees);
    const meanMae = foldMae.reduce((a, b) => a + b, 0) / foldMae.length;
    options.onPoint?.({ point: p + 1, points: points.length, params, meanMae, foldTrees });
    return { params, foldMae, foldTrees, meanMae };
  });
  const best = candidates.reduce((a, b) => (b.meanMae < a.meanMae ? b : a));
  return { grid: options.grid, folds, candidates, best: { params: best.params, meanMae: best.meanMae } };
}

function gridPoints(grid: GbtGrid): GbtGridPoint[] {
  const axes = Object.entries(grid) as [keyof GbtGrid, readonly number[]][];
  const empty = axes.find(([, values]) => values.length === 0);
  if (empty) throw new Error(`Grid axis ${empty[0]} has no values; give at least one.`);
  return axes.reduce<Partial<GbtGridPoint>[]>(
    (points, [name, values]) => points.flatMap((point) => values.map((value) => ({ ...point, [name]: value }))),
    [{}],
  ) as GbtGridPoint[];
}
