import { rmse } from '../evaluation/metrics';
import { binFeatures, maxValueBins, type BinnedFeatures } from './binning';
import { growTree } from './grow-tree';
import { assertFittable, sliceRows, type FeatureMatrix } from './matrix';
import { drawWithoutReplacement, seededRandom, type Random } from '@air-quality/preprocessing';
import { predictTree, type Tree } from './tree';

export interface GbtOptions {
  /** Boosting rounds (trees) at most. */
  readonly trees: number;
  /** Shrinkage applied to every tree. */
  readonly learningRate: number;
  readonly maxDepth: number;
  readonly maxLeaves: number;
  readonly minSamplesLeaf: number;
  /** L2 penalty on leaf weights. */
  readonly lambda: number;
  /** Least loss reduction worth a split (XGBoost's gamma). */
  readonly minSplitGain: number;
  /** Fraction of training rows each tree sees, drawn without replacement. */
  readonly subsample: number;
  /** Fraction of features each tree may split on. */
  readonly colsample: number;
  /** Histogram bins per feature, besides the bin for missing values. */
  readonly maxBins: number;
  /** Trailing fraction of the rows held out for early stopping; 0 trains on all rows for `trees` rounds. */
  readonly validationFraction: number;
  /** Stop after this many rounds without a better validation RMSE, keeping the best round. */
  readonly earlyStoppingRounds: number;
  readonly seed: number;
  /**
   * Residuals beyond this are clipped in the gradient (Huber loss, with LightGBM's unit hessian), so
   * a few spikes do not drag the leaves; Infinity is squared error.
   */
  readonly huberDelta: number;
}

export const defaultGbtOptions: GbtOptions = {
  trees: 300,
  learningRate: 0.05,
  maxDepth: 6,
  maxLeaves: 31,
  minSamplesLeaf: 20,
  lambda: 1,
  minSplitGain: 0,
  subsample: 0.8,
  colsample: 0.8,
  maxBins: maxValueBins,
  validationFraction: 0.1,
  earlyStoppingRounds: 30,
  seed: 42,
  huberDelta: Number.POSITIVE_INFINITY,
};

/** A fitted ensemble as plain data: prediction = baseScore + the sum of every tree's leaf value. */
export interface GbtModel {
  readonly kind: 'gradient-boosted-trees';
  readonly featureCount: number;
  /** Mean of the training target, rounded to float32 like every other stored number. */
  readonly baseScore: number;
  readonly trees: readonly Tree[];
  readonly options: GbtOptions;
  /** Validation RMSE after each round (empty without a validation slice). */
  readonly validationRmse: readonly number[];
}

export function resolveGbtOptions(overrides: Partial<GbtOptions> = {}): GbtOptions {
  const options = { ...defaultGbtOptions, ...overrides };
  const check = (name: keyof GbtOptions, valid: boolean, allowed: string) => {
    if (!valid) throw new Error(`GBT option ${name}=${options[name]} is out of range; allowed: ${allowed}.`);
  };
  const isInt = Number.isInteger;
  check('trees', isInt(options.trees) && options.trees >= 1, 'an integer >= 1');
  check('learningRate', options.learningRate > 0 && options.learningRate <= 1, '(0, 1]');
  check('maxDepth', isInt(options.maxDepth) && options.maxDepth >= 1, 'an integer >= 1');
  check('maxLeaves', isInt(options.maxLeaves) && options.maxLeaves >= 2, 'an integer >= 2');
  check('minSamplesLeaf', isInt(options.minSamplesLeaf) && options.minSamplesLeaf >= 1, 'an integer >= 1');
  check('lambda', options.lambda >= 0, '>= 0');
  check('minSplitGain', options.minSplitGain >= 0, '>= 0');
  check('subsample', options.subsample > 0 && options.subsample <= 1, '(0, 1]');
  check('colsample', options.colsample > 0 && options.colsample <= 1, '(0, 1]');
  check(
    'maxBins',
    isInt(options.maxBins) && options.maxBins >= 2 && options.maxBins <= maxValueBins,
    `an integer in [2, ${maxValueBins}]`,
  );
  check('validationFraction', options.validationFraction >= 0 && options.validationFraction < 1, '[0, 1)');
  check(
    'earlyStoppingRounds',
    isInt(options.earlyStoppingRounds) && options.earlyStoppingRounds >= 1,
    'an integer >= 1',
  );
  check('seed', isInt(options.seed), 'an integer');
  check('huberDelta', options.huberDelta > 0, '> 0 (Infinity for squared error)');
  return options;
}

/**
 * Gradient-boosted regression trees under squared loss. Rows must be in time order when a
 * validation slice is used: the trailing rows are held out so early stopping never peeks at the past.
 */
export function trainGbt(
  features: FeatureMatrix,
  target: ArrayLike<number>,
  overrides: Partial<GbtOptions> = {},
): GbtModel {
  const options = resolveGbtOptions(overrides);
  assertFittable(features, target);
  const validationRows = Math.floor(features.rows * options.validationFraction);
  const trainRows = features.rows - validationRows;
  const train = sliceRows(features, 0, trainRows);
  const validation = sliceRows(features, trainRows, features.rows);
  return boostBinned(
    {
      features: train,
      binned: binFeatures(train, options.maxBins),
      target: Array.prototype.slice.call(target, 0, trainRows),
    },
    validationRows === 0 ? undefined : { features: validation, target: Array.prototype.slice.call(target, trainRows) },
    options,
  );
}

/** Training rows with their bins: binned once, a prefix of them serves every fold and grid point of a search. */
export interface BinnedTrainingRows {
  readonly features: FeatureMatrix;
  readonly binned: BinnedFeatures;
  readonly target: ArrayLike<number>;
}

/** The first `rows` rows, sharing the bins (and their edges) of the whole. */
export function binnedPrefix(data: BinnedTrainingRows, rows: number): BinnedTrainingRows {
  const { features, binned, target } = data;
  return {
    features: sliceRows(features, 0, rows),
    binned: { ...binned, rows, bins: binned.bins.subarray(0, rows * binned.cols) },
    target: Array.prototype.slice.call(target, 0, rows),
  };
}

/**
 * Boosts on already binned rows; with `validation`, stops once its RMSE has not improved for
 * `earlyStoppingRounds` rounds and keeps the best round (`validationFraction` is not used here).
 */
export function boostBinned(
  train: BinnedTrainingRows,
  validation: { readonly features: FeatureMatrix; readonly target: ArrayLike<number> } | undefined,
  overrides: Partial<GbtOptions> = {},
): GbtModel {
  const options = resolveGbtOptions(overrides);
  const { features, binned } = train;
  assertFittable(features, train.target);
  const trainRows = features.rows;
  if (trainRows < 2 * options.minSamplesLeaf) {
    throw new Error(
      `Only ${trainRows} training rows; need at least 2 × minSamplesLeaf = ${2 * options.minSamplesLeaf}. Supply more rows or lower minSamplesLeaf.`,
    );
  }
  const trainTarget = Float64Array.from(train.target);
  const validationRows = validation?.features.rows ?? 0;
  const validationTarget = Float64Array.from(validation?.target ?? []);

  const random = seededRandom(options.seed);
  const baseScore = Math.fround(trainTarget.reduce((sum, y) => sum + y, 0) / trainRows);
  const trainPrediction = new Float64Array(trainRows).fill(baseScore);
  const validationPrediction = new Float64Array(validationRows).fill(baseScore);
  const gradients = new Float64Array(trainRows);
  const sampledRows = Math.max(1, Math.round(options.subsample * trainRows));
  const sampledFeatures = Math.max(1, Math.round(options.colsample * features.cols));

  const trees: Tree[] = [];
  const validationRmse: number[] = [];
  let bestRound = -1;
  for (let round = 0; round < options.trees; round++) {
    for (let i = 0; i < trainRows; i++) gradients[i] = clip(trainPrediction[i] - trainTarget[i], options.huberDelta);
    const rows = sampleWithoutReplacement(trainRows, sampledRows, random);
    const columns = sampleWithoutReplacement(features.cols, sampledFeatures, random);
    const tree = growTree(binned, gradients, rows, columns, options);
    trees.push(tree);
    addTreePrediction(tree, features, trainPrediction);
    if (validation === undefined) continue;

    addTreePrediction(tree, validation.features, validationPrediction);
    validationRmse.push(rmse(validationPrediction, validationTarget));
    if (bestRound < 0 || validationRmse[round] < validationRmse[bestRound]) bestRound = round;
    if (round - bestRound >= options.earlyStoppingRounds) break;
  }
  const keptTrees = validation === undefined ? trees : trees.slice(0, bestRound + 1);
  return {
    kind: 'gradient-boosted-trees',
    featureCount: features.cols,
    baseScore,
    trees: keptTrees,
    options,
    validationRmse,
  };
}

export function predictGbt(model: GbtModel, features: FeatureMatrix): Float64Array {
  if (features.cols !== model.featureCount) {
    throw new Error(
      `The model was trained on ${model.featureCount} features but got ${features.cols}; build the same feature columns.`,
    );
  }
  const prediction = new Float64Array(features.rows).fill(model.baseScore);
  for (const tree of model.trees) addTreePrediction(tree, features, prediction);
  return prediction;
}

const clip = (residual: number, delta: number) => Math.min(delta, Math.max(-delta, residual));

/** `count` distinct integers from [0, n), in increasing order. */
const sampleWithoutReplacement = (n: number, count: number, random: Random): Uint32Array =>
  drawWithoutReplacement(n, count, random).sort();

function addTreePrediction(tree: Tree, features: FeatureMatrix, prediction: Float64Array): void {
  for (let row = 0; row < features.rows; row++)
    prediction[row] += predictTree(tree, features.values, row * features.cols);
}
