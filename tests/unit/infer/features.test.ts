import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FeatureWindowError,
  buildFeatures,
  featureNames,
  preprocess,
  timestamps,
  type ColumnTable,
} from '@air-quality/preprocessing';
import { advanceWindows, featureBlock } from '../../../functions/infer/features';
import type { PartitionWindows } from '../../../functions/infer/window-store';
import { datasetRows } from '../../../functions/simulate/messages';
import { PREPARED_OPTIONS } from '../../../shared/dataset';
import type { KafkaRecord } from '../../../shared/kafka-event';
import type { Reading } from '../../../shared/schemas/reading';
import { readDatasetText } from '../../support/dataset';

const spec = {};
const freshState = (): PartitionWindows => ({ version: 1, nextOffset: 0, specKey: 'k', windows: {} });

/** Rows [start, end) of the prepared dataset as the readings simulate sends (one station, observed at the row's hour). */
function readings(table: ColumnTable, start: number, end: number): Reading[] {
  const rows = datasetRows(table);
  const ts = timestamps(table);
  return Array.from({ length: end - start }, (_, i) =>
    rows.reading({ stationId: 'station-01', sequence: i, rowIndex: start + i, observedAtMs: ts[start + i] }),
  );
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A record as Lambda delivers it: a reading keyed by its station, JSON text as is, or a tombstone (undefined). */
const asRecord = (value: Reading | string | undefined, offset: number, partition = 0): KafkaRecord => ({
  topic: 't',
  partition,
  offset,
  timestamp: 0,
  timestampType: 'CREATE_TIME',
  ...(typeof value === 'object' ? { key: b64(value.stationId) } : {}),
  ...(value === undefined ? {} : { value: b64(typeof value === 'string' ? value : JSON.stringify(value)) }),
  headers: [],
});

describe('online features', () => {
  it('equal the offline features of the same history, across batches and JSON round trips of the state', () => {
    const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
    const history = table.slice(1000, 1400);
    const offline = buildFeatures(history, spec);
    const names = featureNames(spec);
    const sent = readings(table, 1000, 1400);
    let state = freshState();
    const online: (number | null)[][] = [];
    for (let start = 0; start < sent.length; start += 37) {
      const batch = sent.slice(start, start + 37).map((reading, i) => asRecord(reading, start + i));
      const advanced = advanceWindows(state, batch, spec);
      assert.deepEqual(advanced.skipped, []);
      online.push(...advanced.inputs.map((input) => input.features));
      state = JSON.parse(JSON.stringify(advanced.next)) as PartitionWindows;
    }
    assert.equal(online.length, 400);
    assert.equal(state.nextOffset, 400);
    let compared = 0;
    names.forEach((name, col) => {
      const column = offline.array(name) as ArrayLike<number | null>;
      for (let row = 0; row < 400; row++) {
        assert.equal(online[row][col], column[row] ?? null, `${name} at row ${row}`);
        compared++;
      }
    });
    assert.equal(compared, 400 * names.length);
  });

  it('skips records below the stored offset, malformed or out-of-order readings, tombstones and readings off the hour, naming each record', () => {
    const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
    const [first, second, third] = readings(table, 0, 3);
    const done = advanceWindows(freshState(), [asRecord(first, 0)], spec);
    const offHour = { ...third, observedAt: '2004-03-10T20:30:00Z' };
    const next = advanceWindows(
      done.next,
      [
        asRecord(first, 0),
        asRecord(second, 1),
        asRecord('{oops', 2),
        asRecord(first, 3),
        asRecord(offHour, 4),
        asRecord({ ...third, stationId: '' }, 5),
        asRecord(undefined, 6),
        { ...asRecord(third, 7), headers: [{ h: [200] }] },
      ],
      spec,
    );
    assert.equal(next.alreadyHandled, 1);
    assert.deepEqual(
      next.inputs.map((i) => i.offset),
      [1],
    );
    assert.deepEqual(
      next.skipped.map((s) => [s.offset, s.reason]),
      [
        [2, 'malformed'],
        [3, 'out-of-order'],
        [4, 'not-hourly'],
        [5, 'malformed'],
        [6, 'tombstone'],
        [7, 'malformed'],
      ],
    );
    assert.deepEqual(
      next.skipped.map((s) => s.detail.split(': ')[0]),
      ['t-0@2', 't-0@3', 't-0@4', 't-0@5', 't-0@6', 't-0@7'],
    );
    assert.match(next.skipped[0]!.detail, /value is not JSON/);
    assert.match(
      next.skipped[5]!.detail,
      /malformed record: headers\.0\.h\.0: header bytes are Java bytes, -128\.\.127/,
    );
    assert.equal(next.next.nextOffset, 8);
  });

  it('leaves the state it advances from unchanged: a claim rewrites that state as it was read', () => {
    const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
    const sent = readings(table, 0, 6).map((reading, i) => asRecord(reading, i));
    const read = JSON.parse(
      JSON.stringify(advanceWindows(freshState(), sent.slice(0, 3), spec).next),
    ) as PartitionWindows;
    const snapshot = JSON.stringify(read);
    const advanced = advanceWindows(read, sent.slice(3), spec);
    assert.equal(advanced.inputs.length, 3);
    assert.equal(JSON.stringify(read), snapshot);
    assert.notEqual(JSON.stringify(advanced.next.windows), JSON.stringify(read.windows));
  });

  it('fails the batch on a corrupt stored window instead of skipping every reading as out of order', () => {
    const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
    const [first] = readings(table, 0, 1);
    const corrupt: PartitionWindows = {
      ...freshState(),
      windows: { 'station-01': { version: 1 } as unknown as PartitionWindows['windows'][string] },
    };
    assert.throws(
      () => advanceWindows(corrupt, [asRecord(first, 0)], spec),
      (error: unknown) => error instanceof FeatureWindowError && error.code === 'BAD_STATE',
    );
  });

  it('keeps one window per station and lays features out row-major with NaN for missing', () => {
    const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
    const [a, b] = readings(table, 0, 2);
    const other = { ...a, stationId: 'station-02' };
    const advanced = advanceWindows(freshState(), [asRecord(a, 0), asRecord(other, 1), asRecord(b, 2)], spec);
    assert.deepEqual(Object.keys(advanced.next.windows).sort(), ['station-01', 'station-02']);
    const names = featureNames(spec);
    const lag1 = names.indexOf('co_gt_lag1');
    const block = featureBlock(advanced.inputs, names.length);
    // station-02's first reading has no history even though station-01 sent one before it.
    assert.ok(Number.isNaN(block[1 * names.length + lag1]));
    assert.equal(block[2 * names.length + lag1], Math.fround(a.readings.co_gt!));
  });
});
