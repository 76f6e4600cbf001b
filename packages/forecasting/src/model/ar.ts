import { Matrix, QrDecomposition } from 'ml-matrix';
import type { FeatureMatrix } from './matrix';

/**
 * ARIMA(p,1,0) with drift: the hourly changes d[t] = y[t] - y[t-1] follow
 * d[t] = intercept + Σ coefficients[i] · d[t-1-i] + noise, fitted by conditional least squares.
 */
export interface DifferencedArModel {
  readonly kind: 'arima-p10';
  readonly order: number;
  readonly intercept: number;
  /** coefficients[i] multiplies the change i + 1 hours back. */
  readonly coefficients: readonly number[];
  /** Residual variance (sum of squared residuals / observations). */
  readonly residualVariance: number;
  /** Equations in the fit: changes whose `order` previous changes were all observed. */
  readonly observations: number;
  /** AIC of every order tried, all fitted on the same sample so they compare. */
  readonly selection: readonly { readonly order: number; readonly aic: number }[];
}

export interface ArOptions {
  readonly minOrder: number;
  readonly maxOrder: number;
}

export const defaultArOptions: ArOptions = { minOrder: 0, maxOrder: 24 };

/** Chooses the order by AIC over `[minOrder, maxOrder]`, then refits that order on every usable equation. */
export function fitDifferencedAr(levels: ArrayLike<number>, overrides: Partial<ArOptions> = {}): DifferencedArModel {
  const { minOrder, maxOrder } = { ...defaultArOptions, ...overrides };
  if (!Number.isInteger(minOrder) || !Number.isInteger(maxOrder) || minOrder < 0 || maxOrder < minOrder) {
    throw new Error(
      `AR orders must be integers with 0 <= minOrder <= maxOrder, got minOrder=${minOrder}, maxOrder=${maxOrder}.`,
    );
  }
  const changes = differences(levels);
  const selection = [];
  for (let order = minOrder; order <= maxOrder; order++) {
    const fit = leastSquares(changes, order, maxOrder);
    selection.push({ order, aic: akaike(fit) });
  }
  const { order } = selection.reduce((best, candidate) => (candidate.aic < best.aic ? candidate : best));
  const fit = leastSquares(changes, order, order);
  return { kind: 'arima-p10', order, ...fit, selection };
}

/** Forecasts the next `horizon` levels after `recentLevels` (oldest first, at least order + 1 values). */
export function forecastDifferencedAr(
  model: DifferencedArModel,
  recentLevels: ArrayLike<number>,
  horizon: number,
): number[] {
  assertHistory(model, recentLevels);
  const changes = differences(recentLevels).slice(-Math.max(model.order, 1));
  let level = recentLevels[recentLevels.length - 1];
  const forecast: number[] = [];
  for (let h = 0; h < horizon; h++) {
    const change = model.coefficients.reduce(
      (sum, phi, i) => sum + phi * changes[changes.length - 1 - i],
      model.intercept,
    );
    changes.push(change);
    level += change;
    forecast.push(level);
  }
  return forecast;
}

/**
 * The H-step forecast written as y(t+H) = intercept + Σ weights[k] · y(t-k), k = 0..order: every
 * recursive step is affine in the last order + 1 levels, so the whole forecast is a dot product
 * that ONNX evaluates as one Gemm over lag columns.
 */
export interface LinearForecast {
  readonly horizon: number;
  readonly intercept: number;
  /** weights[k] multiplies the level k hours before the forecast origin. */
  readonly weights: readonly number[];
}

export function linearForecast(model: DifferencedArModel, horizon: number): LinearForecast {
  if (!Number.isInteger(horizon) || horizon < 1)
    throw new Error(`Forecast horizon must be an integer >= 1, got ${horizon}.`);
  const lags = model.order + 1;
  // An affine form over (y(t), y(t-1), …, y(t-order), 1).
  const constant = lags;
  const levelAt = (k: number) => Float64Array.from({ length: lags + 1 }, (_, j) => (j === k ? 1 : 0));
  const subtract = (a: Float64Array, b: Float64Array) => a.map((v, j) => v - b[j]);
  // Observed changes, newest last: d(t-j) = y(t-j) - y(t-j-1).
  const changes = Array.from({ length: model.order }, (_, i) =>
    subtract(levelAt(model.order - 1 - i), levelAt(model.order - i)),
  );
  let level = levelAt(0);
  for (let h = 0; h < horizon; h++) {
    const change = new Float64Array(lags + 1);
    change[constant] = model.intercept;
    model.coefficients.forEach((phi, i) => {
      changes[changes.length - 1 - i].forEach((v, j) => {
        change[j] += phi * v;
      });
    });
    changes.push(change);
    level = level.map((v, j) => v + change[j]);
  }
  return { horizon, intercept: level[constant], weights: Array.from(level.subarray(0, lags)) };
}

export interface LinearForecastColumns {
  /** Width of the `features` input. */
  readonly featureCount: number;
  /** lagColumns[k] is the feature column holding the level k hours before the forecast origin. */
  readonly lagColumns: readonly number[];
}

/** Weights over every feature column: the lag weights at their columns, zero elsewhere. */
export function featureWeights(forecast: LinearForecast, columns: LinearForecastColumns): Float64Array {
  const { featureCount, lagColumns } = columns;
  if (lagColumns.length !== forecast.weights.length) {
    throw new Error(
      `The forecast needs ${forecast.weights.length} lag columns (levels 0..${forecast.weights.length - 1} hours back) but got ${lagColumns.length}.`,
    );
  }
  const weights = new Float64Array(featureCount);
  lagColumns.forEach((column, k) => {
    if (!Number.isInteger(column) || column < 0 || column >= featureCount) {
      throw new Error(`Lag column ${column} (level ${k} hours back) is outside the ${featureCount} feature columns.`);
    }
    weights[column] += forecast.weights[k];
  });
  return weights;
}

/** The linear forecast for every row of a feature matrix, as the exported ONNX model computes it. */
export function predictLinearForecast(
  forecast: LinearForecast,
  columns: LinearForecastColumns,
  features: FeatureMatrix,
): Float64Array {
  if (features.cols !== columns.featureCount) {
    throw new Error(
      `Expected ${columns.featureCount} feature columns but got ${features.cols}; build the same feature columns.`,
    );
  }
  const weights = featureWeights(forecast, columns);
  return Float64Array.from({ length: features.rows }, (_, row) =>
    weights.reduce((sum, w, col) => sum + w * features.values[row * features.cols + col], forecast.intercept),
  );
}

function assertHistory(model: DifferencedArModel, recentLevels: ArrayLike<number>): void {
  const needed = model.order + 1;
  const tail = Array.from(recentLevels).slice(-needed);
  if (tail.length < needed || !tail.every(Number.isFinite)) {
    throw new Error(
      `An AR(${model.order}) forecast needs the last ${needed} levels observed; got ${JSON.stringify(tail)}.`,
    );
  }
}

function differences(levels: ArrayLike<number>): number[] {
  return Array.from({ length: Math.max(levels.length - 1, 0) }, (_, t) => levels[t + 1] - levels[t]);
}

interface LeastSquaresFit {
  readonly intercept: number;
  readonly coefficients: number[];
  readonly residualVariance: number;
  readonly observations: number;
}

/**
 * OLS of d[t] on (1, d[t-1], …, d[t-order]) over every t whose `window` previous changes and itself
 * are observed. A window wider than the order holds the sample fixed while comparing orders.
 */
function leastSquares(changes: readonly number[], order: number, window: number): LeastSquaresFit {
  const design: number[][] = [];
  const response: number[][] = [];
  for (let t = window; t < changes.length; t++) {
    const recent = changes.slice(t - window, t + 1);
    if (!recent.every(Number.isFinite)) continue;
    design.push([1, ...Array.from({ length: order }, (_, i) => changes[t - 1 - i])]);
    response.push([changes[t]]);
  }
  if (design.length <= order + 1) {
    throw new Error(
      `Only ${design.length} complete windows of ${window + 1} observed changes; AR(${order}) needs more than ${order + 1}. Supply a longer series or lower maxOrder.`,
    );
  }
  const qr = new QrDecomposition(new Matrix(design));
  if (!qr.isFullRank())
    throw new Error(`The AR(${order}) design is rank deficient (a constant series?); the target must vary.`);
  const beta = qr.solve(new Matrix(response)).getColumn(0);
  const residuals = design.map((row, i) => response[i][0] - row.reduce((sum, x, j) => sum + x * beta[j], 0));
  const observations = design.length;
  return {
    intercept: beta[0],
    coefficients: beta.slice(1),
    residualVariance: residuals.reduce((sum, e) => sum + e * e, 0) / observations,
    observations,
  };
}

/** Gaussian AIC as statsmodels' AutoReg reports it: -2 log L + 2 × (intercept + coefficients). */
function akaike({ residualVariance, observations, coefficients }: LeastSquaresFit): number {
  const logLikelihood = -(observations / 2) * (Math.log(2 * Math.PI) + Math.log(residualVariance) + 1);
  return -2 * logLikelihood + 2 * (coefficients.length + 1);
}
