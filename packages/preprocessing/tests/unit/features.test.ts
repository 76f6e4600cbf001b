import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readDatasetText } from '../support/dataset';
import {
  FeatureWindowError,
  buildFeatures,
  buildFeaturesWithState,
  createFeatureWindow,
  featureNames,
  featureRowToObject,
  featureSpecKey,
  foldFeatureWindow,
  forecastTarget,
  makeTable,
  seededRandom,
  numbers,
  preprocess,
  pushReading,
  pushReadingInPlace,
  ownFeatureWindow,
  toFeatureMatrix,
  type FeatureSpec,
  type FeatureWindowState,
} from '../../src/index';

const H = 3_600_000;
const T0 = Date.UTC(2004, 2, 10, 18); // a Wednesday
const col = (table: ReturnType<typeof makeTable>, name: string) => numbers(table, name);
const near = (a: number | null, b: number | null, tol: number, what: string) => {
  if (a === null || b === null) return assert.equal(a, b, what);
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
};
const xOnly = (spec: FeatureSpec = {}): FeatureSpec => ({ columns: ['x'], interactions: [], calendar: false, ...spec });
const seriesTable = (values: (number | null)[], start = T0) =>
  makeTable({ timestamp: values.map((_, i) => start + i * H), x: values });

describe('feature names', () => {
  it('orders names per column [lag0, lags, emas, slopes], then interactions, then calendar', () => {
    const names = featureNames();
    assert.equal(names.length, 12 * (1 + 6 + 4 + 3) + 6 + 5);
    assert.deepEqual(names.slice(0, 14), [
      'co_gt_lag0',
      'co_gt_lag1',
      'co_gt_lag2',
      'co_gt_lag3',
      'co_gt_lag6',
      'co_gt_lag12',
      'co_gt_lag24',
      'co_gt_ema3',
      'co_gt_ema6',
      'co_gt_ema12',
      'co_gt_ema24',
      'co_gt_slope6',
      'co_gt_slope12',
      'co_gt_slope24',
    ]);
    assert.ok(!names.some((n) => n.startsWith('nmhc_gt')));
    assert.deepEqual(names.slice(-11), [
      'co_gt_lag1_x_c6h6_gt_lag1',
      'co_gt_lag1_x_nox_gt_lag1',
      'co_gt_lag1_x_no2_gt_lag1',
      'c6h6_gt_lag1_x_nox_gt_lag1',
      'c6h6_gt_lag1_x_no2_gt_lag1',
      'nox_gt_lag1_x_no2_gt_lag1',
      'hour_sin',
      'hour_cos',
      'dow_sin',
      'dow_cos',
      'is_weekend',
    ]);
    assert.deepEqual(
      featureNames({
        columns: ['a'],
        current: false,
        lags: [24, 1, 1],
        emaSpans: [],
        slopeWindows: [3],
        interactions: [['a', 'b']],
        calendar: false,
      }),
      ['a_lag1', 'a_lag24', 'a_slope3', 'a_lag1_x_b_lag1'],
    );
  });

  it('rejects invalid specs with the option named', () => {
    assert.throws(
      () => featureNames({ lags: [0] }),
      (e: unknown) =>
        e instanceof FeatureWindowError &&
        e.code === 'BAD_SPEC' &&
        /lags: must be a list of integers ≥ 1/.test(e.message),
    );
    assert.throws(() => featureNames({ slopeWindows: [1] }), /slopeWindows: must be a list of integers ≥ 2/);
    assert.throws(() => featureNames({ emaSpans: [2.5] }), /emaSpans/);
    assert.throws(() => featureNames({ columns: ['a', 'a'] }), /columns: must be distinct/);
    assert.throws(() => featureNames({ interactions: [['a']] as never }), /interactions/);
    assert.throws(() => featureNames({ emaMaxGap: -1 }), /emaMaxGap/);
  });
});

describe('features against pandas (committed fixture, packages/preprocessing/scripts/pandas_reference.py)', () => {
  const ref = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'pandas-reference.json'), 'utf8'));
  const values: (number | null)[] = ref.values;
  const spec = xOnly({ lags: [1, 2, 3, 6, 12, 24], emaSpans: [3, 6, 12, 24], slopeWindows: [6, 12, 24] });
  const table = buildFeatures(seriesTable(values, Date.parse(ref.start)), spec);

  it('lags equal pandas shift(k) exactly', () => {
    for (const k of [1, 2, 3, 6, 12, 24]) assert.deepEqual(col(table, `x_lag${k}`), ref.lags[k]);
    assert.deepEqual(col(table, 'x_lag0'), values);
  });

  it('EMAs equal pandas ewm(span, adjust=False).mean() with gaps (spans 6, 12, 24)', () => {
    for (const span of [6, 12, 24]) {
      assert.deepEqual(ref.emaPandasDeviatesFromRecursionAt[span], []);
      for (const [i, v] of col(table, `x_ema${span}`).entries()) near(v, ref.ema[span][i], 1e-12, `ema${span}[${i}]`);
    }
  });

  it('span 3 (alpha 0.5) equals pandas without gaps and pandas’ documented recursion with gaps', () => {
    // pandas 3.0–3.1 special-cases com == 1 (span 3) with NaN (regression, pandas-dev/pandas#66521);
    // pandas 2.x and the documented recursion agree with us. Before the first gap all agree.
    const got = col(table, 'x_ema3');
    for (const [i, v] of got.entries()) near(v, ref.emaClassic['3'][i], 1e-12, `ema3[${i}] vs recursion`);
    const firstGapAfterStart = values.indexOf(null, 1);
    for (let i = 0; i < firstGapAfterStart; i++) near(got[i], ref.ema['3'][i], 1e-12, `ema3[${i}] vs pandas`);
    if (ref.emaPandasDeviatesFromRecursionAt['3'].length)
      assert.ok(ref.emaPandasDeviatesFromRecursionAt['3'][0] > firstGapAfterStart);
  });

  it('slopes equal pandas rolling(w).apply(polyfit slope) (null unless the window is complete)', () => {
    for (const w of [6, 12, 24])
      for (const [i, v] of col(table, `x_slope${w}`).entries()) near(v, ref.slopes[w][i], 1e-9, `slope${w}[${i}]`);
  });
});

describe('feature semantics on hand-computed series', () => {
  it('EMA (span 3, alpha 0.5) by hand: 1, 1.5, 2.25 without gaps; a 2-hour gap decays the old weight', () => {
    assert.deepEqual(col(buildFeatures(seriesTable([1, 2, 3]), xOnly({ emaSpans: [3] })), 'x_ema3'), [1, 1.5, 2.25]);
    // after 1, 2: ema 1.5, weight 1; two missing hours: weight 0.5, 0.25; at 10: weight 0.125 →
    // (0.125 · 1.5 + 0.5 · 10) / (0.125 + 0.5) = 8.3
    const g = col(buildFeatures(seriesTable([null, 1, 2, null, null, 10]), xOnly({ emaSpans: [3] })), 'x_ema3');
    assert.deepEqual(g.slice(0, 5), [null, 1, 1.5, 1.5, 1.5]);
    near(g[5], 8.3, 1e-15, 'ema after gap');
  });

  it('emaMaxGap: EMA turns null once the gap exceeds it and restarts at the next value', () => {
    const g = col(
      buildFeatures(seriesTable([1, 2, null, null, 10, 4]), xOnly({ emaSpans: [3], emaMaxGap: 1 })),
      'x_ema3',
    );
    assert.deepEqual(g, [1, 1.5, 1.5, null, 10, 7]);
  });

  it('propagates missing inputs as null, never 0: lags, slopes, interactions', () => {
    const t = makeTable({ timestamp: [0, 1, 2, 3].map((i) => T0 + i * H), a: [1, 2, null, 4], b: [3, 5, 6, 8] });
    const f = buildFeatures(t, {
      columns: ['a', 'b'],
      lags: [1, 2],
      emaSpans: [],
      slopeWindows: [2, 3],
      interactions: [['a', 'b']],
      calendar: false,
    });
    assert.deepEqual(col(f, 'a_lag0'), [1, 2, null, 4]);
    assert.deepEqual(col(f, 'a_lag1'), [null, 1, 2, null]);
    assert.deepEqual(col(f, 'a_lag2'), [null, null, 1, 2]);
    assert.deepEqual(col(f, 'a_slope2'), [null, 1, null, null]);
    assert.deepEqual(col(f, 'b_slope3'), [null, null, 1.5, 1.5]); // OLS of (3,5,6) and (5,6,8)
    assert.deepEqual(col(f, 'a_lag1_x_b_lag1'), [null, 3, 10, null]);
  });

  it('lag differences: lag a minus lag b, null when either is missing, named after the interactions', () => {
    const t = makeTable({ timestamp: [0, 1, 2, 3, 4].map((i) => T0 + i * H), a: [1, 2, null, 4, 9] });
    const spec: FeatureSpec = { ...xOnly({ columns: ['a'] }), lags: [], emaSpans: [], slopeWindows: [] };
    const f = buildFeatures(t, {
      ...spec,
      lagDifferences: [
        ['a', 0, 1],
        ['a', 1, 3],
      ],
    });
    assert.deepEqual(featureNames({ ...spec, lagDifferences: [['a', 0, 1]] }), ['a_lag0', 'a_lag0_minus_lag1']);
    assert.deepEqual(col(f, 'a_lag0_minus_lag1'), [null, 1, null, null, 5]);
    assert.deepEqual(col(f, 'a_lag1_minus_lag3'), [null, null, null, null, 2]);
    assert.throws(
      () => featureNames({ lagDifferences: [['a', 2, 1]] }),
      /lagDifferences: must be a list of \[column, a, b\]/,
    );
  });

  it('calendar: hour of day and day of week (Monday 0) as sin/cos in UTC, weekend flag', () => {
    const sat6 = Date.UTC(2004, 2, 13, 6); // Saturday 06:00Z
    const f = buildFeatures(
      makeTable({ timestamp: [T0, sat6], x: [1, 1] }),
      xOnly({ calendar: true, emaSpans: [], slopeWindows: [], lags: [] }),
    );
    const [wed, sat] = [f.object(0), f.object(1)] as Record<string, number>[];
    near(wed.hour_sin, Math.sin((2 * Math.PI * 18) / 24), 0, 'hour_sin');
    near(wed.dow_sin, Math.sin((2 * Math.PI * 2) / 7), 0, 'dow_sin wed');
    assert.equal(wed.is_weekend, 0);
    near(sat.hour_sin, 1, 1e-15, 'hour 6');
    near(sat.dow_cos, Math.cos((2 * Math.PI * 5) / 7), 0, 'dow_cos sat');
    assert.equal(sat.is_weekend, 1);
  });

  it('forecast targets look up t + h by timestamp; the matrix uses NaN for missing', () => {
    const t = makeTable({ timestamp: [0, 1, 2, 4].map((i) => T0 + i * H), x: [1, 2, null, 4] });
    assert.deepEqual(forecastTarget(t, 'x', 1), [2, null, null, null]);
    assert.deepEqual(forecastTarget(t, 'x', 2), [null, null, 4, null]);
    const m = toFeatureMatrix(t, ['x']);
    assert.deepEqual([...m.data], [1, 2, NaN, 4]);
    assert.deepEqual([m.rows, m.cols], [4, 1]);
  });
});

// ---------------------------------------------------------------------------------------------

/** Random hourly history with missing values, runs of missing hours, and absent rows (gaps). */
function randomHistory(seed: number, length: number, columns: string[]) {
  const random = seededRandom(seed);
  const rnd = () => random.float();
  const hours: number[] = [];
  let hour = 0;
  while (hours.length < length) {
    hours.push(hour);
    const r = rnd();
    hour +=
      r < 0.85
        ? 1
        : r < 0.95
          ? 2 + Math.floor(rnd() * 4)
          : r < 0.99
            ? 10 + Math.floor(rnd() * 20)
            : 60 + Math.floor(rnd() * 400);
  }
  const values: Record<string, (number | null)[]> = {};
  for (const c of columns) {
    let level = rnd() * 10;
    values[c] = hours.map(() => {
      level += rnd() - 0.5;
      return rnd() < 0.15 ? null : Math.round(level * 1000) / 1000;
    });
  }
  return { hours, values };
}

const SPECS: FeatureSpec[] = [
  { columns: ['co_gt', 'nox_gt', 'no2_gt', 'c6h6_gt', 't'] },
  { columns: ['a'], lags: [1, 5], emaSpans: [2, 7], slopeWindows: [3], interactions: [], emaMaxGap: 4 },
  {
    columns: ['a', 'b'],
    current: false,
    lags: [48],
    emaSpans: [3, 100],
    slopeWindows: [2, 30],
    interactions: [
      ['a', 'b'],
      ['b', 'c'],
    ],
    calendar: false,
    emaMaxGap: 0,
    lagDifferences: [
      ['a', 0, 1],
      ['b', 23, 24],
    ],
  },
  { columns: ['a', 'b', 'c'], lags: [], emaSpans: [1], slopeWindows: [], interactions: [['c', 'c']] },
];

describe('online features equal offline features (property)', () => {
  const pushAll = (spec: FeatureSpec, table: ReturnType<typeof makeTable>, roundTrip: boolean) => {
    let state: FeatureWindowState = createFeatureWindow(spec);
    const ts = numbers(table, 'timestamp') as number[];
    const inputs = Object.keys(state.history);
    const cols = Object.fromEntries(inputs.map((c) => [c, numbers(table, c)]));
    return ts.map((t, i) => {
      if (roundTrip) state = JSON.parse(JSON.stringify(state));
      const reading = {
        timestamp: i % 2 ? t : new Date(t).toISOString(),
        values: Object.fromEntries(inputs.map((c) => [c, cols[c][i]])),
      };
      const out = pushReading(state, reading);
      state = out.state;
      return out.features.values;
    });
  };
  const offlineRows = (table: ReturnType<typeof makeTable>, names: string[]) => {
    const cols = names.map((n) => numbers(table, n));
    return Array.from({ length: table.numRows() }, (_, i) => cols.map((c) => c[i]));
  };

  SPECS.forEach((spec, s) => {
    for (const seed of [1, 2, 3]) {
      it(`spec ${s}, seed ${seed}: pushing readings one at a time (state JSON round-tripped) gives the offline rows exactly`, () => {
        const inputs = [...new Set([...(spec.columns ?? []), ...(spec.interactions ?? []).flat()])];
        const { hours, values } = randomHistory(seed * 100 + s, 400, inputs);
        const table = makeTable({ timestamp: hours.map((h) => T0 + h * H), ...values });
        const names = featureNames(spec);
        const offline = buildFeaturesWithState(table, spec);
        assert.deepEqual(offline.names, names);
        const online = pushAll(spec, table, true);
        assert.deepEqual(online, offlineRows(offline.table, names));
        // identical final state too
        assert.deepEqual(
          JSON.parse(JSON.stringify(offline.state)),
          JSON.parse(JSON.stringify(foldFeatureWindow(table, spec))),
        );

        // skipped hours ≡ hours pushed with every value missing (also for gaps longer than the window)
        const grid = Array.from({ length: hours[hours.length - 1] + 1 }, (_, h) => h);
        const at = new Map(hours.map((h, i) => [h, i]));
        const dense = makeTable({
          timestamp: grid.map((h) => T0 + h * H),
          ...Object.fromEntries(inputs.map((c) => [c, grid.map((h) => (at.has(h) ? values[c][at.get(h)!] : null))])),
        });
        const denseRows = offlineRows(buildFeatures(dense, spec), names);
        assert.deepEqual(
          online,
          hours.map((h) => denseRows[h]),
        );

        // continuing from a stored state equals one pass over the whole history
        const cut = 150;
        const first = buildFeaturesWithState(
          makeTable({
            timestamp: hours.slice(0, cut).map((h) => T0 + h * H),
            ...Object.fromEntries(inputs.map((c) => [c, values[c].slice(0, cut)])),
          }),
          spec,
        );
        const rest = buildFeaturesWithState(
          makeTable({
            timestamp: hours.slice(cut).map((h) => T0 + h * H),
            ...Object.fromEntries(inputs.map((c) => [c, values[c].slice(cut)])),
          }),
          JSON.parse(JSON.stringify(first.state)),
        );
        assert.deepEqual([...offlineRows(first.table, names), ...offlineRows(rest.table, names)], online);
      });
    }
  });
});

describe('online window', () => {
  it('is pure, serialisable, and rejects out-of-order, duplicate and off-hour readings', () => {
    const spec = xOnly({ emaSpans: [3] });
    const s0 = createFeatureWindow(spec);
    const snapshot = JSON.stringify(s0);
    const { state: s1, features } = pushReading(s0, { timestamp: '2004-03-10T18:00:00Z', values: { x: 2 } });
    assert.equal(JSON.stringify(s0), snapshot, 'input state untouched');
    assert.equal(s1.lastTimestamp, T0);
    assert.deepEqual(featureRowToObject(spec, features), {
      timestamp: '2004-03-10T18:00:00.000Z',
      x_lag0: 2,
      x_lag1: null,
      x_lag2: null,
      x_lag3: null,
      x_lag6: null,
      x_lag12: null,
      x_lag24: null,
      x_ema3: 2,
      x_slope6: null,
      x_slope12: null,
      x_slope24: null,
    });
    const code = (c: string) => (e: unknown) => e instanceof FeatureWindowError && e.code === c;
    assert.throws(() => pushReading(s1, { timestamp: T0, values: { x: 1 } }), code('OUT_OF_ORDER'));
    assert.throws(
      () => pushReading(s1, { timestamp: T0 - H, values: { x: 1 } }),
      /must be pushed in increasing time order/,
    );
    assert.throws(() => pushReading(s1, { timestamp: T0 + H + 60_000, values: { x: 1 } }), code('NOT_HOURLY'));
    assert.throws(
      () => pushReading({ ...s1, version: 2 } as never, { timestamp: T0 + H, values: {} }),
      code('BAD_STATE'),
    );
    assert.throws(
      () => pushReading({ ...s1, history: { x: [1] } }, { timestamp: T0 + H, values: {} }),
      /history of "x" must hold 25 values/,
    );
    // NaN / undefined / missing keys are missing values, never 0
    const { features: f2 } = pushReading(s1, { timestamp: T0 + H, values: { x: Number.NaN } });
    assert.deepEqual(f2.values.slice(0, 2), [null, 2]);
    assert.equal(featureSpecKey(spec), featureSpecKey(s1.spec));
    assert.notEqual(featureSpecKey(spec), featureSpecKey({}));
  });

  it("advanced in place gives pushReading's rows, and a refused reading leaves it unchanged", () => {
    const spec = xOnly({ emaSpans: [3], slopeWindows: [2] });
    const hours = [0, 1, 2, 5, 6, 40].map((h) => ({ timestamp: T0 + h * H, values: { x: h % 3 === 0 ? null : h } }));
    let pure = createFeatureWindow(spec);
    const stored = JSON.stringify(pure);
    const owned = ownFeatureWindow(pure);
    for (const reading of hours) {
      const pushed = pushReading(pure, reading);
      pure = pushed.state;
      assert.deepEqual(pushReadingInPlace(owned, reading), pushed.features);
    }
    assert.deepEqual(owned, pure);
    const before = JSON.stringify(owned);
    const code = (c: string) => (e: unknown) => e instanceof FeatureWindowError && e.code === c;
    assert.throws(() => pushReadingInPlace(owned, { timestamp: T0, values: { x: 1 } }), code('OUT_OF_ORDER'));
    assert.throws(
      () => pushReadingInPlace(owned, { timestamp: T0 + 41 * H + 1, values: { x: 1 } }),
      code('NOT_HOURLY'),
    );
    assert.equal(JSON.stringify(owned), before, 'refused readings change nothing');
    assert.throws(() => ownFeatureWindow({ ...owned, history: { x: [1] } }), code('BAD_STATE'));
    assert.equal(JSON.stringify(createFeatureWindow(spec)), stored);
  });

  it('tells which column a table lacks', () => {
    assert.throws(() => buildFeatures(seriesTable([1]), { columns: ['y'] }), /needs column "y"/);
  });
});

describe('features of the real dataset', () => {
  it('builds one row per hour with numbers or null (never NaN), lags null only at the start for imputed data', () => {
    const { table } = preprocess(readDatasetText());
    const f = buildFeatures(table);
    const names = featureNames();
    assert.equal(f.numRows(), 9357);
    assert.deepEqual(f.columnNames(), ['timestamp', ...names]);
    for (const n of names) {
      const v = numbers(f, n);
      assert.ok(
        v.every((x) => x === null || Number.isFinite(x)),
        n,
      );
    }
    assert.equal(numbers(f, 'co_gt_lag24').filter((v) => v === null).length, 24);
    assert.equal(numbers(f, 'co_gt_slope24').filter((v) => v === null).length, 23);
    assert.equal(numbers(f, 'co_gt_ema24').filter((v) => v === null).length, 0);
  });
});
