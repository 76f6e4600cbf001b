import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readDatasetText } from '../support/dataset';
import {
  PreprocessingOptionError,
  clipToRanges,
  dropSparseColumns,
  flagLists,
  impute,
  makeTable,
  missingReport,
  numbers,
  parseAirQuality,
  preprocess,
  regularizeHourly,
  timestamps,
} from '../../src/index';

const H = 3_600_000;
const T0 = Date.UTC(2004, 2, 10, 0);
const h = (n: number) => T0 + n * H;
const series = (values: (number | null)[], hours = values.map((_, i) => i)) =>
  makeTable({ timestamp: hours.map(h), x: values });

describe('hourly regularisation', () => {
  const messy = makeTable({
    timestamp: [h(5), h(0), h(1), h(1), h(3) + 30 * 60_000, h(1)],
    x: [5, 0, 10, 20, 3, null],
    y: [50, null, 1, null, 30, 3],
  });

  it('reindexes to a complete hourly grid, sorted, inserting missing hours as null', () => {
    const { table, report } = regularizeHourly(messy);
    assert.deepEqual(timestamps(table), [0, 1, 2, 3, 4, 5].map(h));
    assert.deepEqual(numbers(table, 'x'), [0, 15, null, 3, null, 5]);
    assert.deepEqual(numbers(table, 'y'), [null, 2, null, 30, null, 50]);
    assert.deepEqual(report, {
      rowsIn: 6,
      rows: 6,
      hoursInserted: 2,
      duplicateRowsMerged: 2,
      offGridRows: 1,
      rowsOutside: 0,
      start: h(0),
      end: h(5),
    });
  });

  it('resolves duplicates deterministically by first / last non-missing value in input order', () => {
    assert.deepEqual(numbers(regularizeHourly(messy, { duplicates: 'first' }).table, 'x'), [0, 10, null, 3, null, 5]);
    assert.deepEqual(numbers(regularizeHourly(messy, { duplicates: 'last' }).table, 'x'), [0, 20, null, 3, null, 5]);
    assert.deepEqual(numbers(regularizeHourly(messy, { duplicates: 'last' }).table, 'y'), [
      null,
      3,
      null,
      30,
      null,
      50,
    ]);
  });

  it('can extend or cut the grid with start/end', () => {
    const { table, report } = regularizeHourly(messy, { start: new Date(h(-1)).toISOString(), end: h(3) });
    assert.deepEqual(timestamps(table), [-1, 0, 1, 2, 3].map(h));
    assert.equal(report.rowsOutside, 1);
    assert.throws(() => regularizeHourly(messy, { start: h(0) + 1 }), PreprocessingOptionError);
    assert.throws(
      () => regularizeHourly(messy, { duplicates: 'median' as never }),
      /duplicates must be 'mean', 'first' or 'last'/,
    );
  });
});

describe('missing report and sparse-column drop', () => {
  const t = makeTable({
    timestamp: [0, 1, 2, 3].map(h),
    a: [1, null, null, null],
    b: [1, 2, null, null],
    c: [1, 2, 3, 4],
  });

  it('reports missing count and share per column', () => {
    assert.deepEqual(missingReport(t), [
      { column: 'a', missing: 3, share: 0.75 },
      { column: 'b', missing: 2, share: 0.5 },
      { column: 'c', missing: 0, share: 0 },
    ]);
  });

  it('drops columns missing strictly more than the share (default 0.5), keeping any listed in keep', () => {
    const { table, report } = dropSparseColumns(t);
    assert.deepEqual(table.columnNames(), ['timestamp', 'b', 'c']);
    assert.deepEqual(report.dropped, [{ column: 'a', missing: 3, share: 0.75 }]);
    assert.deepEqual(dropSparseColumns(t, { maxMissingShare: 0.4 }).table.columnNames(), ['timestamp', 'c']);
    assert.deepEqual(dropSparseColumns(t, { maxMissingShare: 0.4, keep: ['a'] }).table.columnNames(), [
      'timestamp',
      'a',
      'c',
    ]);
    assert.throws(() => dropSparseColumns(t, { maxMissingShare: 1.5 }), /maxMissingShare must be a number from 0 to 1/);
  });
});

describe('domain clipping', () => {
  const t = makeTable({
    timestamp: [0, 1, 2, 3].map(h),
    co_gt: [0.1, 2, 7, null],
    nox_gt: [3, 50, 150, 100],
    t: [-40, 0, 50, 10],
  });

  it('clamps to the default physical ranges and flags each clipped cell', () => {
    const { table, report } = clipToRanges(t);
    assert.deepEqual(numbers(table, 'co_gt'), [0.5, 2, 5, null]);
    assert.deepEqual(numbers(table, 'nox_gt'), [5, 50, 100, 100]);
    assert.deepEqual(numbers(table, 't'), [-40, 0, 50, 10]); // no default range for T
    assert.deepEqual(flagLists(table, 'clipped'), [['co_gt', 'nox_gt'], [], ['co_gt', 'nox_gt'], []]);
    assert.deepEqual(report.counts, { co_gt: { low: 1, high: 1 }, nox_gt: { low: 1, high: 1 } });
    assert.deepEqual(report.ranges, { co_gt: { min: 0.5, max: 5 }, nox_gt: { min: 5, max: 100 } });
    assert.deepEqual(numbers(t, 'co_gt'), [0.1, 2, 7, null], 'input untouched');
  });

  it('takes overrides (null switches a column off), one-sided ranges, and the missing mode', () => {
    const { table } = clipToRanges(t, { ranges: { co_gt: null, t: { min: -30 } }, mode: 'missing' });
    assert.deepEqual(numbers(table, 'co_gt'), [0.1, 2, 7, null]);
    assert.deepEqual(numbers(table, 't'), [null, 0, 50, 10]);
    assert.deepEqual(numbers(table, 'nox_gt'), [null, 50, null, 100]);
    assert.deepEqual(flagLists(table, 'clipped'), [['nox_gt', 't'], [], ['nox_gt'], []]);
    assert.deepEqual(clipToRanges(t, { defaults: false }).report.counts, {});
    assert.throws(() => clipToRanges(t, { ranges: { co_gt: { min: 5, max: 1 } } }), /clipping range of co_gt must be/);
  });
});

describe('imputation', () => {
  const values = [null, 1, null, null, 7, null];

  it('mean: fills with the mean of the valid values (hand: (1 + 7) / 2 = 4)', () => {
    const { table, report } = impute(series(values), { strategy: 'mean' });
    assert.deepEqual(numbers(table, 'x'), [4, 1, 4, 4, 7, 4]);
    assert.deepEqual(report, { strategy: 'mean', imputed: { x: 4 }, unfilled: { x: 0 }, fillValues: { x: 4 } });
    assert.deepEqual(flagLists(table, 'imputed'), [['x'], [], ['x'], ['x'], [], ['x']]);
  });

  it('interpolate: linear in time (hand: 1 → 7 over 3 hours gives 3, 5), nearest value at the edges', () => {
    assert.deepEqual(numbers(impute(series(values), { strategy: 'interpolate' }).table, 'x'), [1, 1, 3, 5, 7, 7]);
    // irregular times: hours 0, 1, 4 → value at hour 1 is 0 + (8 - 0) * 1/4 = 2
    assert.deepEqual(
      numbers(impute(series([0, null, 8], [0, 1, 4]), { strategy: 'interpolate' }).table, 'x'),
      [0, 2, 8],
    );
    const left = impute(series(values), { strategy: 'interpolate', edges: 'leave' });
    assert.deepEqual(numbers(left.table, 'x'), [null, 1, 3, 5, 7, null]);
    assert.deepEqual(left.report.unfilled, { x: 2 });
    assert.deepEqual(flagLists(left.table, 'imputed'), [[], [], ['x'], ['x'], [], []]);
  });

  it('ffill: carries the last valid value forward, back-fills the leading edge unless edges is leave', () => {
    assert.deepEqual(numbers(impute(series(values), { strategy: 'ffill' }).table, 'x'), [1, 1, 1, 1, 7, 7]);
    assert.deepEqual(numbers(impute(series(values), { strategy: 'ffill', edges: 'leave' }).table, 'x'), [
      null,
      1,
      1,
      1,
      7,
      7,
    ]);
  });

  it('leaves an all-missing column missing and reports it unfilled', () => {
    for (const strategy of ['mean', 'interpolate', 'ffill'] as const) {
      const { table, report } = impute(series([null, null]), { strategy });
      assert.deepEqual(numbers(table, 'x'), [null, null]);
      assert.deepEqual(report.unfilled, { x: 2 });
      assert.deepEqual(flagLists(table, 'imputed'), [[], []]);
    }
  });

  it('matches pandas interpolate(method="time"), ffill().bfill() and fillna(mean) on an irregular index', () => {
    const ref = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'pandas-reference.json'), 'utf8')).imputation;
    const t = series(ref.values, ref.hours);
    for (const strategy of ['interpolate', 'ffill', 'mean'] as const) {
      const got = numbers(impute(t, { strategy }).table, 'x');
      for (const [i, v] of got.entries())
        assert.ok(Math.abs((v as number) - ref[strategy][i]) < 1e-12, `${strategy}[${i}]: ${v} vs ${ref[strategy][i]}`);
    }
  });

  it('rejects an unknown strategy, naming the allowed ones', () => {
    assert.throws(
      () => impute(series(values), { strategy: 'median' as never }),
      /strategy must be one of mean, interpolate, ffill/,
    );
  });

  it('keeps flags from earlier steps and adds to them', () => {
    const clipped = clipToRanges(makeTable({ timestamp: [0, 1, 2].map(h), co_gt: [9, null, 1] }), {
      mode: 'missing',
    }).table;
    const { table } = impute(clipped, { strategy: 'ffill' });
    assert.deepEqual(numbers(table, 'co_gt'), [1, 1, 1]);
    assert.deepEqual(flagLists(table, 'clipped'), [['co_gt'], [], []]);
    assert.deepEqual(flagLists(table, 'imputed'), [['co_gt'], ['co_gt'], []]);
  });
});

describe('preprocess on the real dataset', () => {
  const raw = parseAirQuality(readDatasetText());
  const { table, report } = preprocess(raw);

  it('keeps 9357 hourly rows and drops NMHC (about 90 % missing) with its share reported', () => {
    assert.equal(report.rows, 9357);
    assert.equal(report.start, '2004-03-10T18:00:00.000Z');
    assert.equal(report.end, '2005-04-04T14:00:00.000Z');
    assert.equal(report.regularize.hoursInserted, 0);
    assert.equal(report.allMissingRows, 31);
    assert.deepEqual(report.columnsDropped, [{ column: 'nmhc_gt', missing: 8443, share: 8443 / 9357 }]);
    assert.ok(report.columnsDropped[0].share > 0.9 && report.columnsDropped[0].share < 0.91);
    assert.deepEqual(table.columnNames(), [
      'timestamp',
      'co_gt',
      'pt08_s1_co',
      'c6h6_gt',
      'pt08_s2_nmhc',
      'nox_gt',
      'pt08_s3_nox',
      'no2_gt',
      'pt08_s4_no2',
      'pt08_s5_o3',
      't',
      'rh',
      'ah',
      'imputed',
      'clipped',
    ]);
    assert.equal(report.missing.find((m) => m.column === 'co_gt')?.missing, 1683);
  });

  it('keeps T minimum -1.9 °C, imputes every missing value by default (mean) and flags it', () => {
    const t = numbers(table, 't') as number[];
    assert.equal(Math.min(...t), -1.9);
    assert.ok(report.columns.every((c) => numbers(table, c).every((v) => v !== null)));
    assert.equal(report.strategy, 'mean');
    assert.deepEqual(report.imputed, {
      co_gt: 1683,
      pt08_s1_co: 366,
      c6h6_gt: 366,
      pt08_s2_nmhc: 366,
      nox_gt: 1639,
      pt08_s3_nox: 366,
      no2_gt: 1642,
      pt08_s4_no2: 366,
      pt08_s5_o3: 366,
      t: 366,
      rh: 366,
      ah: 366,
    });
    const flags = flagLists(table, 'imputed');
    assert.equal(flags.filter((f) => f.includes('co_gt')).length, 1683);
    assert.equal(flags.filter((f) => f.length === 12).length, 31);
  });

  it('clips in physical units and counts each clipped value', () => {
    const co = numbers(table, 'co_gt') as number[];
    assert.ok(co.every((v) => v >= 0.5 && v <= 5));
    const flags = flagLists(table, 'clipped');
    for (const [column, count] of Object.entries(report.clipped))
      assert.equal(flags.filter((f) => f.includes(column)).length, count.low + count.high, column);
    assert.equal(report.clipMode, 'clamp');
    assert.ok(report.clipped.co_gt.low > 0 && report.clipped.co_gt.high > 0);
  });

  it('takes options: other strategy, no drop, no clipping; rejects unknown options', () => {
    const r = preprocess(raw, { impute: { strategy: 'interpolate' }, dropSparse: false, clip: false });
    assert.equal(r.report.strategy, 'interpolate');
    assert.deepEqual(r.report.columnsDropped, []);
    assert.deepEqual(r.report.clipped, {});
    assert.equal(Math.max(...(numbers(r.table, 'co_gt') as number[])), 11.9);
    assert.equal(r.table.columnNames().includes('nmhc_gt'), true);
    const none = preprocess(raw, { impute: false });
    assert.equal(none.report.unfilled.co_gt, 1683);
    assert.deepEqual(none.report.imputed, {});
    assert.throws(() => preprocess(raw, { imputation: {} } as never), /Unknown preprocess option\(s\): imputation/);
  });

  it('accepts the csv text directly', () => {
    assert.equal(preprocess(readDatasetText()).report.rows, 9357);
  });
});
