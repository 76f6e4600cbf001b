import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driftReport } from '../../../functions/infer/drift';
import { predictionsKey, predictionsParquet, toPredictions } from '../../../functions/infer/predictions';
import type { ModelManifest } from '../../../shared/models/manifest';
import { fromParquet } from '../../../shared/parquet';
import type { Reading } from '../../../shared/schemas/reading';

const stat = (name: string, mean: number | null, std: number | null) => ({
  name,
  mean,
  std,
  min: null,
  max: null,
  count: 10,
});

describe('drift report', () => {
  it('scores each feature by how many training standard deviations the batch mean moved, worst first, ignoring missing values', () => {
    // Two rows × three features; the third feature has no spread in training and is not checked.
    const block = Float32Array.from([1, 10, 5, NaN, 14, 5]);
    const stats = [stat('a', 0, 1), stat('b', 2, 2), stat('c', 5, 0)];
    const report = driftReport([block], stats, 3);
    assert.equal(report.checked, 2);
    assert.deepEqual(
      report.worst.map((d) => [d.name, d.z, d.count]),
      [
        ['b', 5, 2],
        ['a', 1, 1],
      ],
    );
    assert.equal(report.maxAbsZ, 5);
    assert.equal(report.drifting, 1);
    // The blocks of several partitions count as one batch.
    assert.deepEqual(driftReport([block.subarray(0, 3), block.subarray(3)], stats, 3), report);
  });
});

describe('predictions', () => {
  const manifest = { version: 'v1', target: 'co_gt', horizon: 3 } as ModelManifest;
  const reading: Reading = {
    schemaVersion: 1,
    eventId: '6f1c4a52-8a8e-4d43-9d1c-0d7c1f4f1a11',
    stationId: 'station-02',
    sequence: 7,
    observedAt: '2026-11-24T23:00:00.000Z',
    sourceTime: '2004-03-10T18:00:00Z',
    readings: { co_gt: 2.5 },
    quality: { imputed: ['t', 'rh'], clipped: [] },
  };

  it('files a batch under the UTC hour of its first reading, also when observedAt has a zone offset', () => {
    const [p] = toPredictions(
      [{ reading: { ...reading, observedAt: '2026-11-24T19:00:00+01:00' }, partition: 0, offset: 5, features: [] }],
      [1],
      manifest,
    );
    assert.equal(
      predictionsKey('predictions/', manifest, 'air_quality_data', p),
      'predictions/co_gt/h3/dt=2026-11-24/hour=18/air_quality_data+0+0000000005.parquet',
    );
    const [midnight] = toPredictions(
      [{ reading: { ...reading, observedAt: '2026-11-25T00:30:00+02:00' }, partition: 0, offset: 5, features: [] }],
      [1],
      manifest,
    );
    assert.equal(
      predictionsKey('predictions/', manifest, 'air_quality_data', midnight),
      'predictions/co_gt/h3/dt=2026-11-24/hour=22/air_quality_data+0+0000000005.parquet',
    );
  });

  it('ties each forecast to its reading and the hour it forecasts', () => {
    const [p] = toPredictions([{ reading, partition: 2, offset: 41, features: [] }], [1.75], manifest);
    assert.deepEqual(p, {
      schemaVersion: 1,
      readingEventId: reading.eventId,
      stationId: 'station-02',
      sequence: 7,
      observedAt: reading.observedAt,
      forecastFor: '2026-11-25T02:00:00.000Z',
      target: 'co_gt',
      horizon: 3,
      value: 1.75,
      modelVersion: 'v1',
      imputedInputs: ['t', 'rh'],
      source: { partition: 2, offset: 41 },
    });
    assert.equal(
      predictionsKey('predictions/', manifest, 'air_quality_data', p),
      'predictions/co_gt/h3/dt=2026-11-24/hour=23/air_quality_data+2+0000000041.parquet',
    );
    const table = fromParquet(predictionsParquet([p]));
    assert.deepEqual(table.objects()[0], {
      reading_event_id: reading.eventId,
      station_id: 'station-02',
      sequence: 7,
      observed_at: new Date(reading.observedAt),
      forecast_for: new Date('2026-11-25T02:00:00Z'),
      target: 'co_gt',
      horizon: 3,
      value: 1.75,
      model_version: 'v1',
      imputed_inputs: 't,rh',
      kafka_partition: 2,
      kafka_offset: 41,
    });
  });
});
