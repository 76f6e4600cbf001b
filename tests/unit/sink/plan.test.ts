import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bucketByDay, planPartition, settlePending, toLakeRow } from '../../../functions/sink/plan';
import { dataFileKey } from '../../../shared/lake';
import { HOUR, reading, record, T0 } from '../../support/kafka-records';

const at = (offset: number, observedAt: number) => record(offset, reading('station-01', offset, observedAt));

describe('bucketByDay', () => {
  it('groups rows by the UTC day of observedAt, in offset order, groups ordered by their first offset', () => {
    const [DAY, D0] = [24 * HOUR, Date.UTC(2026, 10, 24)];
    const rows = [at(12, D0 + DAY + 59 * 60_000), at(10, D0 + 5), at(11, D0 + DAY), at(13, D0 + DAY - 1)].map((r) =>
      toLakeRow(JSON.parse(Buffer.from(r.value!, 'base64').toString()), r),
    );
    assert.deepEqual(
      bucketByDay(rows).map((b) => b.map((r) => r.offset)),
      [
        [10, 13],
        [11, 12],
      ],
    );
  });
});

describe('planPartition', () => {
  const DAY = 24 * HOUR;
  const batch = [
    at(100, T0),
    at(101, T0 + DAY),
    at(102, T0 + 10),
    record(103, 'garbage', { key: 'station-01' }),
    at(104, T0 + DAY + 1),
  ];

  it('names each day file by the first offset of that day, under dt= of the event time', () => {
    const plan = planPartition(batch, 0);
    assert.deepEqual(
      plan.files.map((f) => [f.key, f.rows.map((r) => r.offset)]),
      [
        ['lake/readings/dt=2026-11-24/readings+0+0000000100.parquet', [100, 102]],
        ['lake/readings/dt=2026-11-25/readings+0+0000000101.parquet', [101, 104]],
      ],
    );
    assert.deepEqual(
      plan.rejected.map((r) => [r.record.offset, r.kind]),
      [[103, 'base64']],
    );
    assert.equal(plan.redelivered, 0);
    assert.equal(plan.nextOffset, 105);
  });

  it('drops records below the watermark and names files by the first offset kept', () => {
    const plan = planPartition(batch, 102);
    assert.equal(plan.redelivered, 2);
    assert.deepEqual(
      plan.files.map((f) => [f.key.split('/').at(-1), f.rows.map((r) => r.offset)]),
      [
        ['readings+0+0000000102.parquet', [102]],
        ['readings+0+0000000104.parquet', [104]],
      ],
    );
    assert.equal(plan.nextOffset, 105);
  });

  it('a redelivery from the same watermark names the same keys, whatever follows in the batch', () => {
    const keys = (n: number) => planPartition(batch.slice(0, n), 0).files.map((f) => f.key);
    assert.deepEqual(keys(3), keys(5));
    assert.deepEqual(keys(2), keys(5));
  });

  it('a batch wholly below the watermark changes nothing', () => {
    const plan = planPartition(batch, 105);
    assert.deepEqual([plan.files, plan.rejected, plan.redelivered, plan.nextOffset], [[], [], 5, undefined]);
  });

  it('a batch of rejects only writes no file but still moves the watermark', () => {
    const plan = planPartition(
      [record(7, undefined, { key: 'station-01' }), record(8, 'e30=', { key: 'station-01' })],
      7,
    );
    assert.deepEqual(plan.files, []);
    assert.deepEqual(
      plan.rejected.map((r) => r.kind),
      ['tombstone', 'schema'],
    );
    assert.equal(plan.nextOffset, 9);
  });

  it('rejects a malformed record on its own (kind record, what is usable kept) and writes its neighbours', () => {
    const malformed = { ...at(4, T0), timestamp: 'now', headers: [{ h: [-61, 300] }] };
    const plan = planPartition([at(3, T0), malformed, { ...at(5, T0), headers: [{ note: [-61, -85] }] }], 0);
    assert.deepEqual(
      plan.files.flatMap((f) => f.rows.map((r) => r.offset)),
      [3, 5],
    );
    assert.deepEqual(
      plan.rejected.map((r) => [r.record.offset, r.kind]),
      [[4, 'record']],
    );
    assert.match(
      plan.rejected[0]!.reason,
      /^malformed record: timestamp: .*; headers\.0\.h\.1: header bytes are Java bytes, -128\.\.127/,
    );
    assert.deepEqual([plan.rejected[0]!.record.key, plan.rejected[0]!.record.value], [malformed.key, malformed.value]);
    assert.equal(plan.nextOffset, 6);
  });

  it('keeps the Kafka partition and offset and the event time of every row', () => {
    const [file] = planPartition([record(42, reading('station-03', 9, T0), { partition: 2 })], 0).files;
    assert.equal(file.key, 'lake/readings/dt=2026-11-24/readings+2+0000000042.parquet');
    assert.deepEqual(
      [
        file.rows[0].partition,
        file.rows[0].offset,
        file.rows[0].observedAt,
        file.rows[0].stationId,
        file.rows[0].sequence,
      ],
      [2, 42, T0, 'station-03', 9],
    );
  });
});

describe('settlePending', () => {
  const key = (startOffset: number, hour = 0) => dataFileKey('readings', 0, startOffset, T0 + hour * HOUR);

  it('drops what the batch rewrote, keeps files a later batch will rewrite, and names the orphans below the new watermark', () => {
    const pending = [key(100), key(101, 1), key(120, 2), key(150, 3), key(101, 1)];
    assert.deepEqual(settlePending(pending, [key(120, 2), key(121, 4)], 150), {
      pending: [key(150, 3)],
      orphans: [key(100), key(101, 1)],
    });
  });

  it('has nothing to settle after a batch that follows a successful one', () => {
    assert.deepEqual(settlePending([], [key(7)], 8), { pending: [], orphans: [] });
  });

  it('refuses a pending entry that is not a lake data file, naming it', () => {
    assert.throws(
      () => settlePending(['lake/readings/x.json'], [], 1),
      /"lake\/readings\/x.json" in a watermark's pending list is not a lake data file key/,
    );
  });
});
