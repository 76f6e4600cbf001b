import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { table } from 'arquero';
import { tableFromIPC, Type, TimeUnit } from '@uwdata/flechette';
import { readParquet } from 'parquet-wasm';
import { COLUMN_IDS } from '@air-quality/preprocessing';
import { toLakeRow } from '../../../functions/sink/plan';
import { compactedFileKey, dataFileKey, lakeParquet, parseDataFileKey, watermarkKey } from '../../../shared/lake';
import { fromParquet } from '../../../shared/parquet';
import { reading, T0 } from '../../support/kafka-records';
import { duplicateReadings } from '../../support/lake';

describe('lake layout', () => {
  it('follows the Kafka Connect naming with a 10-digit start offset and UTC event-day folders', () => {
    assert.equal(
      dataFileKey('air_quality_data', 2, 1234, Date.UTC(2026, 0, 5, 7, 59, 59, 999)),
      'lake/air_quality_data/dt=2026-01-05/air_quality_data+2+0000001234.parquet',
    );
    assert.equal(
      dataFileKey('t', 0, 0, Date.UTC(2026, 0, 5, 23, 59, 59, 999)),
      'lake/t/dt=2026-01-05/t+0+0000000000.parquet',
    );
    assert.equal(dataFileKey('t', 0, 0, Date.UTC(2026, 0, 6)), 'lake/t/dt=2026-01-06/t+0+0000000000.parquet');
    assert.equal(compactedFileKey('t', 1, '2026-01-05', 420), 'lake/t/dt=2026-01-05/t+1+0000000420.compacted.parquet');
    assert.equal(watermarkKey('air_quality_data', 1), 'lake/air_quality_data/_watermarks/air_quality_data+1.json');
  });

  it('parses its own data file keys back (and the older hour folders) and ignores other keys', () => {
    const key = dataFileKey('air_quality_data', 2, 1234, T0 + 30 * 60_000);
    assert.deepEqual(parseDataFileKey(key), { kind: 'small', day: '2026-11-24', partition: 2, startOffset: 1234 });
    assert.deepEqual(parseDataFileKey(compactedFileKey('t', 3, '2026-01-05', 99)), {
      kind: 'compacted',
      day: '2026-01-05',
      partition: 3,
      through: 99,
    });
    assert.deepEqual(parseDataFileKey('lake/t/dt=2026-01-05/hour=07/t+0+0000000012.parquet'), {
      kind: 'small',
      day: '2026-01-05',
      partition: 0,
      startOffset: 12,
    });
    assert.equal(parseDataFileKey(watermarkKey('air_quality_data', 2)), undefined);
  });
});

describe('lakeParquet', () => {
  const rows = [
    toLakeRow(reading('station-01', 5, T0 + 1), { partition: 1, offset: 10 }),
    toLakeRow(reading('station-01', 6, T0 + 2), { partition: 1, offset: 11 }),
  ];
  const bytes = lakeParquet(rows);

  it('writes typed columns: timestamps in ms UTC, float64 readings, flag lists, int32 partition, int64 offset', () => {
    const fields = Object.fromEntries(
      tableFromIPC(readParquet(bytes).intoIPCStream()).schema.fields.map((f) => [f.name, f.type]),
    );
    assert.deepEqual(
      [
        fields.observedAt.typeId,
        (fields.observedAt as { unit: number }).unit,
        (fields.observedAt as { timezone: string }).timezone,
      ],
      [Type.Timestamp, TimeUnit.MILLISECOND, 'UTC'],
    );
    assert.equal(fields.sourceTime.typeId, Type.Timestamp);
    for (const id of COLUMN_IDS)
      assert.deepEqual([fields[id].typeId, (fields[id] as { precision: number }).precision], [Type.Float, 2], id);
    assert.deepEqual([fields.partition.typeId, (fields.partition as { bitWidth: number }).bitWidth], [Type.Int, 32]);
    assert.deepEqual([fields.offset.typeId, (fields.offset as { bitWidth: number }).bitWidth], [Type.Int, 64]);
    assert.deepEqual([fields.sequence.typeId, (fields.sequence as { bitWidth: number }).bitWidth], [Type.Int, 64]);
    assert.equal(fields.imputed.typeId, Type.List);
    assert.equal(fields.stationId.typeId, Type.Utf8);
  });

  it('round-trips the values through fromParquet', () => {
    const [first] = fromParquet(bytes).objects() as Record<string, unknown>[];
    assert.deepEqual(first.observedAt, new Date(T0 + 1));
    assert.equal(first.co_gt, 2.6);
    assert.equal(first.nmhc_gt, null);
    assert.equal(first.pt08_s2_nmhc, null, 'a measure absent from the message is null');
    assert.deepEqual([first.imputed, first.clipped], [['nmhc_gt'], ['c6h6_gt']]);
    assert.deepEqual([first.partition, first.offset, first.sequence, first.stationId], [1, 10, 5, 'station-01']);
  });
});

describe('duplicateReadings', () => {
  it('lists every (stationId, sequence) present more than once', () => {
    const t = table({ stationId: ['a', 'a', 'b', 'a', 'b'], sequence: [1, 2, 1, 1, 2] });
    assert.deepEqual(duplicateReadings(t), [{ stationId: 'a', sequence: 1, count: 2 }]);
    assert.deepEqual(duplicateReadings(t.slice(0, 3)), []);
  });
});
