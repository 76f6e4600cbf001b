import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { COLUMN_IDS } from '@air-quality/preprocessing';
import { toLakeRow } from '../../../functions/sink/plan';
import { loadConfig } from '../../../shared/config';
import {
  advanceWatermark,
  dataFileKey,
  LAKE_COLUMNS,
  lakeParquet,
  readLake,
  readWatermark,
  topicPrefix,
  type LakeRow,
} from '../../../shared/lake';
import { S3ObjectStore } from '../../../shared/object-store';
import { HOUR, reading, T0 } from '../../support/kafka-records';

const store = new S3ObjectStore(loadConfig().s3);
const topics: string[] = [];
const newTopic = () => {
  const topic = `lake-read-test-${randomUUID().slice(0, 8)}`;
  topics.push(topic);
  return topic;
};

/** The row as readLake returns it: a column per measure (null when the reading has none), times in epoch ms. */
function flat(row: LakeRow): Record<string, unknown> {
  const { readings, ...rest } = row;
  return { ...rest, ...Object.fromEntries(COLUMN_IDS.map((id) => [id, readings[id] ?? null])) };
}

const inReadOrder = (a: LakeRow, b: LakeRow) =>
  a.observedAt - b.observedAt ||
  (a.stationId < b.stationId ? -1 : a.stationId > b.stationId ? 1 : 0) ||
  a.sequence - b.sequence;

/**
 * Two partitions as the sink leaves them, one file per partition and event hour: rows out of order within a file,
 * runs that interleave across files and partitions, a non-ASCII station id, missing readings, and in partition 1 a
 * last file whose rows are at or above the watermark (a batch still being written).
 */
async function writeLake(topic: string): Promise<{ rows: LakeRow[]; committed: Map<number, number> }> {
  const rows: LakeRow[] = [];
  for (const partition of [0, 1]) {
    const stations = partition === 0 ? ['station-b', 'station-a'] : ['station-c', 'station-é'];
    let offset = 0;
    for (let hour = 0; hour < 6; hour++) {
      const fileRows: LakeRow[] = [];
      for (let tenMinutes = 0; tenMinutes < 6; tenMinutes++) {
        for (const [s, stationId] of stations.entries()) {
          const sequence = hour * 6 + tenMinutes;
          // Partition 1 is five minutes behind, so its rows fall between partition 0's.
          const observedAt = T0 + hour * HOUR + (tenMinutes * 10 + partition * 5) * 60_000;
          const r = reading(stationId, sequence, observedAt);
          const readings = { ...r.readings, co_gt: sequence + s / 10, no2_gt: sequence % 5 === 0 ? null : sequence };
          fileRows.push(toLakeRow({ ...r, readings }, { partition, offset: offset++ }));
        }
      }
      fileRows.reverse();
      rows.push(...fileRows);
      const startOffset = fileRows.at(-1)!.offset;
      await store.put(dataFileKey(topic, partition, startOffset, T0 + hour * HOUR), lakeParquet(fileRows));
    }
  }
  const committed = new Map([
    [0, 72],
    [1, 60],
  ]);
  for (const [partition, next] of committed)
    await advanceWatermark(store, topic, partition, await readWatermark(store, topic, partition), next);
  return { rows, committed };
}

describe('readLake on the real MinIO', () => {
  after(async () => {
    await store.delete((await Promise.all(topics.map((t) => store.list(topicPrefix(t))))).flat());
  });

  it('returns every committed row in the range once, in (observedAt, stationId, sequence) order, with every column', async () => {
    const topic = newTopic();
    const { rows, committed } = await writeLake(topic);
    const range = { from: T0 + HOUR + 20 * 60_000, to: T0 + 5 * HOUR + 30 * 60_000 };
    const expected = rows
      .filter((r) => r.offset < committed.get(r.partition)! && r.observedAt >= range.from && r.observedAt < range.to)
      .sort(inReadOrder)
      .map(flat);
    assert.ok(expected.length > 80 && expected.some((r) => r.no2_gt === null));

    const table = await readLake(store, topic, range);
    assert.deepEqual(table.columnNames(), LAKE_COLUMNS);
    assert.deepEqual(table.objects(), expected);
  });

  it('reads only the asked columns, in lake order, with the same values', async () => {
    const topic = newTopic();
    await writeLake(topic);
    const range = { from: -Infinity, to: Infinity };
    const all = await readLake(store, topic, range);
    const some = await readLake(store, topic, range, { columns: ['no2_gt', 'stationId', 'observedAt'] });
    assert.deepEqual(some.columnNames(), ['stationId', 'observedAt', 'no2_gt']);
    assert.deepEqual(some.objects(), all.select('stationId', 'observedAt', 'no2_gt').objects());
  });

  it('names an unknown column and lists the lake columns; an empty lake is an empty table of the asked columns', async () => {
    const topic = newTopic();
    await assert.rejects(
      readLake(store, topic, { from: T0, to: T0 + HOUR }, { columns: ['observedAt', 'co'] }),
      (error: Error) =>
        error instanceof RangeError && /unknown: co\. Lake columns: eventId, stationId/.test(error.message),
    );
    const empty = await readLake(store, topic, { from: T0, to: T0 + HOUR }, { columns: ['observedAt', 'co_gt'] });
    assert.deepEqual([empty.numRows(), empty.columnNames()], [0, ['observedAt', 'co_gt']]);
  });
});
