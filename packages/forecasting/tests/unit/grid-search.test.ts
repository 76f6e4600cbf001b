import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gridSearchGbt, type TuningFit, type TuningPoint } from '../../src/evaluation/grid-search';
import { rollingOriginFolds } from '../../src/evaluation/rolling-origin';
import { seededRandom } from '@air-quality/preprocessing';
import { normalSource, uniformMatrix } from './synthetic';

describe('rolling-origin folds', () => {
  it('puts consecutive validation windows at the end, each trained on everything before it minus the gap', () => {
    assert.deepEqual(rollingOriginFolds(100, { folds: 3, validationRows: 10, gap: 2 }), [
      { trainEnd: 68, validationStart: 70, validationEnd: 80 },
      { trainEnd: 78, validationStart: 80, validationEnd: 90 },
      { trainEnd: 88, validationStart: 90, validationEnd: 100 },
    ]);
    assert.deepEqual(
      rollingOriginFolds(120, { folds: 2 }).map((fold) => fold.validationStart),
      [60, 90],
    );
  });

  it('refuses folds that leave nothing to train on', () => {
    assert.throws(
      () => rollingOriginFolds(30, { folds: 3, validationRows: 10 }),
      /30 rows cannot hold 3 validation windows of 10 rows/,
    );
  });
});

describe('grid search', () => {
  it('scores every grid point on every fold and picks the lowest mean MAE', () => {
    const random = seededRandom(31);
    const noise = normalSource(31);
    const features = uniformMatrix(800, 3, random);
    // An interaction that a stump cannot represent but a deeper tree can.
    const target = Array.from(
      { length: 800 },
      (_, row) => (features.values[row * 3] > 0.5 === features.values[row * 3 + 1] > 0.5 ? 2 : 0) + 0.1 * noise(),
    );
    const fits: TuningFit[] = [];
    const points: TuningPoint[] = [];
    const report = gridSearchGbt(features, target, {
      grid: { maxDepth: [1, 3], learningRate: [0.3], subsample: [1, 0.7], colsample: [1] },
      folds: { folds: 2, validationRows: 100 },
      fit: { trees: 30, minSamplesLeaf: 5 },
      onFit: (fit) => fits.push(fit),
      onPoint: (point) => points.push(point),
    });
    // Each fit is reported as it is scored, in search order, with the score the report keeps.
    assert.deepEqual(
      fits,
      report.candidates.flatMap((candidate, p) =>
        candidate.foldMae.map((mae, k) => ({
          point: p + 1,
          points: 4,
          fold: k + 1,
          folds: 2,
          params: candidate.params,
          mae,
          trees: candidate.foldTrees[k],
        })),
      ),
    );
    // Each grid point is reported once all its folds are scored.
    assert.deepEqual(
      points,
      report.candidates.map((candidate, p) => ({
        point: p + 1,
        points: 4,
        params: candidate.params,
        meanMae: candidate.meanMae,
        foldTrees: candidate.foldTrees,
      })),
    );
    // Every fit stops early within the ceiling of 30 trees.
    assert.ok(fits.every((fit) => fit.trees >= 1 && fit.trees <= 30));

    assert.equal(report.candidates.length, 4);
    assert.deepEqual(
      report.folds.map((fold) => fold.validationStart),
      [600, 700],
    );
    for (const candidate of report.candidates) {
      assert.equal(candidate.foldMae.length, 2);
      assert.equal(candidate.meanMae, (candidate.foldMae[0] + candidate.foldMae[1]) / 2);
    }
    assert.equal(report.best.params.maxDepth, 3);
    assert.equal(report.best.meanMae, Math.min(...report.candidates.map((candidate) => candidate.meanMae)));
    assert.ok(
      report.best.meanMae <
        0.5 * Math.min(...report.candidates.filter((c) => c.params.maxDepth === 1).map((c) => c.meanMae)),
    );
  });

  it('refuses a search over its fit budget', () => {
    const features = uniformMatrix(200, 2, seededRandom(32));
    assert.throws(
      () => gridSearchGbt(features, new Array(200).fill(0), { folds: { folds: 3 }, maxFits: 10 }),
      /16 grid points × 3 folds = 48 fits, over maxFits=10; shrink the grid or raise maxFits/,
    );
    assert.throws(
      () =>
        gridSearchGbt(features, new Array(200).fill(0), {
          grid: { maxDepth: [], learningRate: [0.1], subsample: [1], colsample: [1] },
        }),
      /Grid axis maxDepth has no values/,
    );
  });
});
