/**
 * STL: Seasonal-Trend decomposition by LOESS (Cleveland, Cleveland, McRae & Terpenning, 1990).
 *
 * Hand-written because no maintained JavaScript STL exists. It is a line-by-line port of the
 * NETLIB Fortran as statsmodels ships it (statsmodels/tsa/stl/_stl.pyx, with its corrected
 * median in the robustness weights), so defaults and results match `statsmodels.tsa.seasonal.STL`.
 * Positions inside the LOESS helpers are 1-based, as in the Fortran, to keep the port checkable.
 */
import { variance } from 'simple-statistics';

export interface StlOptions {
  /** Length of the seasonal cycle in observations (24 for hourly data with a daily cycle). */
  period: number;
  /** Seasonal smoother span, odd ≥ 3. */
  seasonal?: number;
  /** Trend smoother span, odd ≥ 3 and > period; default: smallest odd ≥ 1.5·period/(1 − 1.5/seasonal). */
  trend?: number;
  /** Low-pass filter span, odd ≥ 3 and > period; default: smallest odd > period. */
  lowPass?: number;
  seasonalDeg?: 0 | 1;
  trendDeg?: 0 | 1;
  lowPassDeg?: 0 | 1;
  /** Down-weight outliers with bisquare robustness weights (outer loop). */
  robust?: boolean;
  seasonalJump?: number;
  trendJump?: number;
  lowPassJump?: number;
  /** Inner loop passes; default 2 when robust, else 5. */
  innerIter?: number;
  /** Robustness passes; default 15 when robust, else 0. */
  outerIter?: number;
}

export interface StlResult {
  seasonal: Float64Array;
  trend: Float64Array;
  residual: Float64Array;
  /** Final robustness weights (all 1 when not robust). */
  weights: Float64Array;
}

interface Smoother {
  span: number;
  degree: 0 | 1;
  jump: number;
}

interface StlConfig {
  period: number;
  seasonal: Smoother;
  trend: Smoother;
  lowPass: Smoother;
  innerIter: number;
  outerIter: number;
}

const smallestOddAtLeast = (x: number): number => {
  const up = Math.ceil(x);
  return up % 2 === 0 ? up + 1 : up;
};

function requireInteger(name: string, value: number, min: number, odd = false): void {
  if (!Number.isInteger(value) || value < min || (odd && value % 2 === 0)) {
    throw new Error(`STL option ${name} must be ${odd ? 'an odd' : 'an'} integer ≥ ${min} (got ${value}).`);
  }
}

function resolveConfig(options: StlOptions): StlConfig {
  const { period, seasonal = 7, robust = false } = options;
  requireInteger('period', period, 2);
  requireInteger('seasonal', seasonal, 3, true);
  const trend = options.trend ?? smallestOddAtLeast((1.5 * period) / (1 - 1.5 / seasonal));
  const lowPass = options.lowPass ?? smallestOddAtLeast(period + 1);
  requireInteger('trend', trend, period + 1, true);
  requireInteger('lowPass', lowPass, period + 1, true);
  const jumps = {
    seasonalJump: options.seasonalJump ?? 1,
    trendJump: options.trendJump ?? 1,
    lowPassJump: options.lowPassJump ?? 1,
  };
  for (const [name, jump] of Object.entries(jumps)) requireInteger(name, jump, 1);
  const config: StlConfig = {
    period,
    seasonal: { span: seasonal, degree: options.seasonalDeg ?? 1, jump: jumps.seasonalJump },
    trend: { span: trend, degree: options.trendDeg ?? 1, jump: jumps.trendJump },
    lowPass: { span: lowPass, degree: options.lowPassDeg ?? 1, jump: jumps.lowPassJump },
    innerIter: options.innerIter ?? (robust ? 2 : 5),
    outerIter: options.outerIter ?? (robust ? 15 : 0),
  };
  requireInteger('innerIter', config.innerIter, 1);
  requireInteger('outerIter', config.outerIter, 0);
  return config;
}

/**
 * Tricube weights (1 − (r/h)³)³ of the integer distances r = 0..h, with the Fortran's cut-offs (1 within
 * 0.001·h, 0 beyond 0.999·h). Positions and h are integers, so every fit with the same h uses the same
 * weights: computed once per h (Math.pow, as the Fortran and statsmodels do, so the results stay
 * bit-identical) instead of once per point and window.
 */
const tricubeTables = new Map<number, Float64Array>();
function tricubeWeights(h: number): Float64Array {
  let table = tricubeTables.get(h);
  if (!table) {
    table = new Float64Array(h + 1);
    for (let r = 0; r <= h; r++) table[r] = r <= 0.001 * h ? 1 : r <= 0.999 * h ? (1 - (r / h) ** 3) ** 3 : 0;
    tricubeTables.set(h, table);
  }
  return table;
}

/**
 * Local (degree 0 or 1) tricube-weighted fit at 1-based position xs from points nleft..nright of y;
 * NaN when every weight is zero. `w` is scratch space. The weights are normalised by their total
 * inside the sums (the same products as normalising them first), saving a pass.
 */
function loessAt(
  y: Float64Array,
  n: number,
  span: number,
  degree: 0 | 1,
  xs: number,
  nleft: number,
  nright: number,
  w: Float64Array,
  robustWeights: Float64Array | null,
): number {
  const range = n - 1;
  let h = Math.max(xs - nleft, nright - xs);
  if (span > n) h += Math.floor((span - n) / 2);
  const tricube = tricubeWeights(h);
  let total = 0;
  for (let j = nleft - 1; j < nright; j++) {
    let weight = tricube[Math.abs(j + 1 - xs)]!;
    if (robustWeights) weight *= robustWeights[j]!;
    w[j] = weight;
    total += weight;
  }
  if (total <= 0) return NaN;
  let fit = 0;
  if (h > 0 && degree > 0) {
    let centre = 0;
    for (let j = nleft - 1; j < nright; j++) centre += (w[j]! / total) * (j + 1);
    let spread = 0;
    for (let j = nleft - 1; j < nright; j++) {
      const d = j + 1 - centre;
      spread += (w[j]! / total) * (d * d);
    }
    if (Math.sqrt(spread) > 0.001 * range) {
      const slope = (xs - centre) / spread;
      for (let j = nleft - 1; j < nright; j++) fit += (w[j]! / total) * (slope * (j + 1 - centre) + 1) * y[j]!;
      return fit;
    }
  }
  for (let j = nleft - 1; j < nright; j++) fit += (w[j]! / total) * y[j]!;
  return fit;
}

/** LOESS smooth of y[0..n) into out, evaluated every `jump` points and linearly interpolated between. */
function loessSmooth(
  y: Float64Array,
  n: number,
  { span, degree, jump }: Smoother,
  robustWeights: Float64Array | null,
  out: Float64Array,
  scratch: Float64Array,
): void {
  if (n < 2) {
    out[0] = y[0]!;
    return;
  }
  const step = Math.min(jump, n - 1);
  const fitAt = (i: number, nleft: number, nright: number): void => {
    const fit = loessAt(y, n, span, degree, i + 1, nleft, nright, scratch, robustWeights);
    out[i] = Number.isNaN(fit) ? y[i]! : fit;
  };
  let nleft = 1;
  let nright = n;
  if (span >= n) {
    for (let i = 0; i < n; i += step) fitAt(i, 1, n);
  } else if (step === 1) {
    const half = Math.floor((span + 2) / 2);
    nright = span;
    for (let i = 0; i < n; i++) {
      if (i + 1 > half && nright !== n) {
        nleft++;
        nright++;
      }
      fitAt(i, nleft, nright);
    }
  } else {
    const half = Math.floor((span + 1) / 2);
    for (let i = 0; i < n; i += step) {
      if (i + 1 < half) [nleft, nright] = [1, span];
      else if (i + 1 >= n - half + 1) [nleft, nright] = [n - span + 1, n];
      else [nleft, nright] = [i + 1 - half + 1, span + i + 1 - half];
      fitAt(i, nleft, nright);
    }
  }
  if (step === 1) return;
  for (let i = 0; i < n - step; i += step) {
    const delta = (out[i + step]! - out[i]!) / step;
    for (let j = i; j < i + step; j++) out[j] = out[i]! + delta * (j - i);
  }
  const lastFitted = Math.floor((n - 1) / step) * step + 1;
  if (lastFitted !== n) {
    fitAt(n - 1, nleft, nright);
    if (lastFitted !== n - 1) {
      const delta = (out[n - 1]! - out[lastFitted - 1]!) / (n - lastFitted);
      for (let j = lastFitted; j < n; j++) out[j] = out[lastFitted - 1]! + delta * (j + 1 - lastFitted);
    }
  }
}

/** Moving average of span `len` over x[0..n) into out[0..n−len]. */
function movingAverage(x: Float64Array, n: number, len: number, out: Float64Array): void {
  let sum = 0;
  for (let i = 0; i < len; i++) sum += x[i]!;
  out[0] = sum / len;
  for (let j = 1, k = len, m = 0; j < n - len + 1; j++, k++, m++) {
    sum += x[k]! - x[m]!;
    out[j] = sum / len;
  }
}

class Decomposer {
  private readonly n: number;
  private readonly work: Float64Array[];
  readonly seasonal: Float64Array;
  readonly trend: Float64Array;
  readonly weights: Float64Array;
  private useWeights = false;

  constructor(
    private readonly y: Float64Array,
    private readonly config: StlConfig,
  ) {
    this.n = y.length;
    this.work = Array.from({ length: 5 }, () => new Float64Array(this.n + 2 * config.period));
    this.seasonal = new Float64Array(this.n);
    this.trend = new Float64Array(this.n);
    this.weights = new Float64Array(this.n).fill(1);
  }

  run(): void {
    for (let pass = 0; ; pass++) {
      this.innerLoop();
      if (pass >= this.config.outerIter) break;
      this.updateRobustnessWeights();
      this.useWeights = true;
    }
  }

  private innerLoop(): void {
    const { n, y, work, seasonal, trend } = this;
    const { period } = this.config;
    const rw = this.useWeights ? this.weights : null;
    for (let pass = 0; pass < this.config.innerIter; pass++) {
      for (let i = 0; i < n; i++) work[0]![i] = y[i]! - trend[i]!;
      this.smoothCycleSubseries();
      this.lowPassFilter();
      loessSmooth(work[2]!, n, this.config.lowPass, null, work[0]!, work[4]!);
      for (let i = 0; i < n; i++) {
        seasonal[i] = work[1]![period + i]! - work[0]![i]!;
        work[0]![i] = y[i]! - seasonal[i]!;
      }
      loessSmooth(work[0]!, n, this.config.trend, rw, trend, work[2]!);
    }
  }

  /** Smooths each cycle-subseries of work[0], extended by one period at both ends, into work[1]. */
  private smoothCycleSubseries(): void {
    const { n, work } = this;
    const { period, seasonal: smoother } = this.config;
    const [detrended, out, sub, fitted, subWeights] = [work[0]!, work[1]!, work[2]!, work[3]!, work[4]!];
    const scratch = new Float64Array(Math.ceil(n / period) + 2);
    const rw = this.useWeights ? subWeights : null;
    for (let j = 0; j < period; j++) {
      const k = Math.floor((n - (j + 1)) / period) + 1;
      for (let i = 0; i < k; i++) {
        sub[i] = detrended[i * period + j]!;
        if (rw) rw[i] = this.weights[i * period + j]!;
      }
      loessSmooth(sub, k, smoother, rw, fitted.subarray(1), scratch);
      const before = loessAt(sub, k, smoother.span, smoother.degree, 0, 1, Math.min(smoother.span, k), scratch, rw);
      fitted[0] = Number.isNaN(before) ? fitted[1]! : before;
      const after = loessAt(
        sub,
        k,
        smoother.span,
        smoother.degree,
        k + 1,
        Math.max(1, k - smoother.span + 1),
        k,
        scratch,
        rw,
      );
      fitted[k + 1] = Number.isNaN(after) ? fitted[k]! : after;
      for (let m = 0; m < k + 2; m++) out[m * period + j] = fitted[m]!;
    }
  }

  /** Moving averages of spans period, period, 3 over work[1] (length n + 2·period) into work[2][0..n). */
  private lowPassFilter(): void {
    const { n, work } = this;
    const { period } = this.config;
    movingAverage(work[1]!, n + 2 * period, period, work[2]!);
    movingAverage(work[2]!, n + period + 1, period, work[0]!);
    movingAverage(work[0]!, n + 2, 3, work[2]!);
  }

  /** Bisquare weights of |y − fit| scaled by six times its median. */
  private updateRobustnessWeights(): void {
    const { n, y, seasonal, trend, weights } = this;
    for (let i = 0; i < n; i++) weights[i] = Math.abs(y[i]! - trend[i]! - seasonal[i]!);
    const sorted = Float64Array.from(weights).sort();
    const lowMid = Math.floor(n / 2);
    const cmad = 3 * (sorted[lowMid]! + sorted[n - lowMid - 1]!);
    if (cmad === 0) {
      weights.fill(1);
      return;
    }
    for (let i = 0; i < n; i++) {
      const r = weights[i]!;
      weights[i] = r <= 0.001 * cmad ? 1 : r <= 0.999 * cmad ? (1 - (r / cmad) ** 2) ** 2 : 0;
    }
  }
}

/** Decomposes y into seasonal + trend + residual. y must be complete: fill gaps first. */
export function stl(y: ArrayLike<number>, options: StlOptions): StlResult {
  const config = resolveConfig(options);
  const values = Float64Array.from(y);
  if (values.length < 2 * config.period) {
    throw new Error(
      `STL needs at least two full periods (${2 * config.period} values); the series has ${values.length}.`,
    );
  }
  const missing = values.findIndex((v) => !Number.isFinite(v));
  if (missing >= 0)
    throw new Error(`STL input has a missing or non-finite value at index ${missing}: fill gaps before decomposing.`);
  const decomposer = new Decomposer(values, config);
  decomposer.run();
  const { seasonal, trend, weights } = decomposer;
  const residual = values.map((v, i) => v - seasonal[i]! - trend[i]!);
  return { seasonal, trend, residual, weights };
}

/** Strength of a component in [0, 1]: max(0, 1 − var(R)/var(component + R)) (Wang, Smith & Hyndman 2006). */
export function componentStrength(component: ArrayLike<number>, residual: ArrayLike<number>): number {
  const combined = Float64Array.from(component, (c, i) => c + residual[i]!);
  return Math.max(0, 1 - variance(Array.from(residual)) / variance(Array.from(combined)));
}

/** The smoother spans actually used for the given options. */
export function stlSpans(options: StlOptions): { seasonal: number; trend: number; lowPass: number } {
  const { seasonal, trend, lowPass } = resolveConfig(options);
  return { seasonal: seasonal.span, trend: trend.span, lowPass: lowPass.span };
}
