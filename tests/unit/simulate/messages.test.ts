import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preprocess } from '@air-quality/preprocessing';
import { datasetRows, readingJson } from '../../../functions/simulate/messages';
import { replayPlan } from '../../../functions/simulate/plan';
import { PREPARED_OPTIONS } from '../../../shared/dataset';
import { readDatasetText } from '../../support/dataset';

const rows = datasetRows(preprocess(readDatasetText().split('\n').slice(0, 49).join('\n'), PREPARED_OPTIONS).table);

describe('readingJson', () => {
  it('is JSON.stringify of every reading of the dataset rows, each row sent many times', () => {
    const readings = replayPlan(
      { nextSequence: 5 },
      rows.length,
      3,
      2 * rows.length,
      Date.UTC(2026, 0, 1),
    ).emissions.map((e) => rows.reading(e));
    for (const reading of readings) assert.equal(readingJson(reading), JSON.stringify(reading));
  });

  it('serializes in full a reading whose row part is not the shared one', () => {
    const reading = rows.reading({ stationId: 's1', sequence: 0, rowIndex: 3, observedAtMs: 0 });
    const changed = [
      { ...reading, sourceTime: '2004-03-10T18:00:00.000Z' },
      { ...reading, quality: { imputed: [], clipped: [] } },
      { ...reading, readings: { ...reading.readings, co_gt: 99 } },
    ];
    for (const other of changed) assert.equal(readingJson(other), JSON.stringify(other));
  });
});
