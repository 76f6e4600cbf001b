import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HOUR_MS, preprocess } from '@air-quality/preprocessing';
import { trainRequestSchema } from '../../../functions/train/request';
import { trainAndEvaluate } from '../../../functions/train/train';
import { assembleTrainingSet, poolTrainingSets } from '../../../functions/train/training-set';
import { PREPARED_OPTIONS } from '../../../shared/dataset';
import { readDatasetText } from '../../support/dataset';

describe('pooled training sets', () => {
  const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
  // Two series over overlapping hours: 0…599 and 200…799 of the dataset.
  const sets = [table.slice(0, 600), table.slice(200, 800)].map((t) => assembleTrainingSet(t, 'co_gt', 1));
  const pooled = poolTrainingSets(sets);

  it('orders rows by hour, then series, and keeps each row as its own series built it', () => {
    assert.equal(pooled.seriesCount, 2);
    assert.equal(pooled.features.rows, 1200);
    pooled.timestamps.forEach((timestamp, i) => {
      const s = pooled.series[i];
      if (i > 0) {
        const before = pooled.timestamps[i - 1];
        assert.ok(before < timestamp || (before === timestamp && pooled.series[i - 1] < s), `row ${i} out of order`);
      }
      const own = sets[s];
      const t = (timestamp - own.timestamps[0]) / HOUR_MS;
      const { cols } = pooled.features;
      assert.deepEqual(
        pooled.features.values.subarray(i * cols, (i + 1) * cols),
        own.features.values.subarray(t * cols, (t + 1) * cols),
      );
      assert.deepEqual(
        [pooled.levels[i], pooled.usable[i], pooled.alignment.target[i], pooled.alignment.persistence[i]],
        [own.levels[t], own.usable[t], own.alignment.target[t], own.alignment.persistence[t]],
      );
    });
  });

  it('holds out one cut in time for every series, and fits no target from after it', () => {
    const { split } = trainAndEvaluate(pooled, trainRequestSchema.parse({ source: 'reference', models: ['arima'] }));
    const cut = pooled.timestamps[split.holdoutStart];
    assert.ok(split.holdoutRows.every((t) => pooled.timestamps[t] >= cut));
    assert.deepEqual(new Set(split.holdoutRows.map((t) => pooled.series[t])), new Set([0, 1]));
    const beforeCut = pooled.timestamps.flatMap((timestamp, t) =>
      pooled.usable[t] && timestamp + pooled.horizon * HOUR_MS < cut ? [t] : [],
    );
    assert.deepEqual(split.trainRows, beforeCut, 'every usable row of either series whose target precedes the cut');
    assert.deepEqual(new Set(split.trainRows.map((t) => pooled.series[t])), new Set([0, 1]));
  });
});
