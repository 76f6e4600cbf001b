import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mae } from '../../src/evaluation/metrics';
import { binFeatures } from '../../src/model/binning';
import {
  binnedPrefix,
  boostBinned,
  predictGbt,
  resolveGbtOptions,
  trainGbt,
  type GbtOptions,
} from '../../src/model/gbt';
import { featureMatrix, sliceRows } from '../../src/model/matrix';
import { seededRandom } from '@air-quality/preprocessing';
import { leafCount, treeDepth, type SplitNode } from '../../src/model/tree';
import { normalSource, uniformMatrix } from './synthetic';

/** One unshrunk, unpenalised tree on all rows and features: the fit is the plain least-squares tree. */
const exactTree: Partial<GbtOptions> = {
  trees: 1,
  learningRate: 1,
  lambda: 0,
  minSamplesLeaf: 1,
  subsample: 1,
  colsample: 1,
  validationFraction: 0,
};

function rootSplit(model: ReturnType<typeof trainGbt>): SplitNode {
  const root = model.trees[0].nodes[0];
  assert.equal(root.kind, 'split');
  return root;
}

describe('gradient-boosted trees', () => {
  it('finds the single split of a step function exactly', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const y = Array.from(x, (v) => (v < 50 ? 1 : 3));
    const model = trainGbt(featureMatrix(x, 1), y, { ...exactTree, maxDepth: 1 });

    assert.equal(model.baseScore, 2);
    // 50 rows each side: with no missing value seen, the tie sends missing values left.
    assert.deepEqual(model.trees[0].nodes, [
      { kind: 'split', feature: 0, threshold: 49, missingGoesLeft: true, left: 1, right: 2 },
      { kind: 'leaf', value: -1 },
      { kind: 'leaf', value: 1 },
    ]);
    assert.deepEqual(Array.from(predictGbt(model, featureMatrix(Float64Array.of(49, 49.5, 50, 1e6), 1))), [1, 3, 3, 3]);
  });

  it('respects the depth and leaf limits', () => {
    const random = seededRandom(1);
    const features = uniformMatrix(2000, 4, random);
    const y = Array.from(
      { length: 2000 },
      (_, i) => Math.sin(10 * features.values[i * 4]) + features.values[i * 4 + 1] * 3,
    );
    const deep = trainGbt(features, y, { ...exactTree, trees: 5, maxDepth: 3, maxLeaves: 1000 });
    assert.ok(deep.trees.every((tree) => treeDepth(tree) === 3 && leafCount(tree) === 8));

    const bushy = trainGbt(features, y, { ...exactTree, trees: 5, maxDepth: 20, maxLeaves: 5 });
    assert.ok(bushy.trees.every((tree) => leafCount(tree) === 5));
    assert.ok(
      bushy.trees.some((tree) => treeDepth(tree) > 2),
      'best-first growth goes deeper than a balanced tree of 5 leaves',
    );
  });

  it('keeps at least minSamplesLeaf training rows in every leaf', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const y = Array.from(x, (v) => (v < 5 ? 100 : 0));
    const model = trainGbt(featureMatrix(x, 1), y, { ...exactTree, maxDepth: 1, minSamplesLeaf: 10 });
    assert.equal(
      rootSplit(model).threshold,
      9,
      'the step at 5 is out of reach; the nearest allowed split keeps 10 rows left',
    );
  });

  it('learns which side missing values go to', () => {
    const values = Float64Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? NaN : i / 300));
    const low = (v: number) => !Number.isNaN(v) && v <= 0.5;
    for (const missingLikeLow of [true, false]) {
      const y = Array.from(values, (v) => (low(v) || (Number.isNaN(v) && missingLikeLow) ? 0 : 5));
      const model = trainGbt(featureMatrix(values, 1), y, { ...exactTree, maxDepth: 1 });
      assert.equal(rootSplit(model).missingGoesLeft, missingLikeLow);
      const prediction = predictGbt(model, featureMatrix(Float64Array.of(NaN, 0.1, 0.9), 1));
      // Base score and leaf values are stored as float32.
      assert.deepEqual(
        Array.from(prediction, (p) => Number(p.toFixed(5))),
        [missingLikeLow ? 0 : 5, 0, 5],
      );
    }
  });

  it('sends missing values never seen in training to the larger child', () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const y = Array.from(x, (v) => (v < 70 ? 0 : 1));
    const model = trainGbt(featureMatrix(x, 1), y, { ...exactTree, maxDepth: 1 });
    assert.equal(rootSplit(model).missingGoesLeft, true);
    assert.equal(predictGbt(model, featureMatrix(Float64Array.of(NaN), 1))[0], 0);
  });

  it('reproduces row and column subsampling from the seed', () => {
    const random = seededRandom(2);
    const features = uniformMatrix(500, 6, random);
    const y = Array.from({ length: 500 }, (_, i) => features.values[i * 6] + features.values[i * 6 + 3] ** 2);
    const options = { trees: 10, subsample: 0.5, colsample: 0.5, minSamplesLeaf: 5, validationFraction: 0 };
    const first = trainGbt(features, y, { ...options, seed: 7 });
    assert.deepEqual(trainGbt(features, y, { ...options, seed: 7 }), first);
    assert.notDeepEqual(trainGbt(features, y, { ...options, seed: 8 }).trees, first.trees);
  });

  it('stops early when the validation error stops improving and keeps the best round', () => {
    const random = seededRandom(3);
    const noise = normalSource(3);
    const features = uniformMatrix(1000, 3, random);
    const y = Array.from({ length: 1000 }, (_, i) => features.values[i * 3] + noise());
    const model = trainGbt(features, y, {
      trees: 500,
      learningRate: 0.3,
      minSamplesLeaf: 5,
      validationFraction: 0.2,
      earlyStoppingRounds: 10,
    });

    assert.ok(model.validationRmse.length < 500, `ran all ${model.validationRmse.length} rounds`);
    assert.equal(model.validationRmse.length, model.trees.length + 10);
    const best = Math.min(...model.validationRmse);
    assert.equal(model.validationRmse[model.trees.length - 1], best);
  });

  it('predicts a nonlinear function far better than the mean', () => {
    const random = seededRandom(4);
    const noise = normalSource(4);
    const features = uniformMatrix(3000, 5, random);
    const f = (row: number) =>
      Math.sin(6 * features.values[row * 5]) + 2 * (features.values[row * 5 + 1] - 0.5) ** 2 * 4;
    const y = Array.from({ length: 3000 }, (_, row) => f(row) + 0.1 * noise());
    const model = trainGbt(sliceRows(features, 0, 2000), y.slice(0, 2000), { trees: 200, learningRate: 0.1 });

    const test = sliceRows(features, 2000, 3000);
    const actual = y.slice(2000);
    const modelMae = mae(predictGbt(model, test), actual);
    const meanMae = mae(new Float64Array(1000).fill(model.baseScore), actual);
    assert.ok(modelMae < 0.25 * meanMae, `model MAE ${modelMae} vs mean MAE ${meanMae}`);
  });

  it('with a Huber delta, a few huge outliers barely move the fit; squared error follows them', () => {
    const random = seededRandom(5);
    const features = uniformMatrix(1000, 2, random);
    const clean = (row: number) => (features.values[row * 2] > 0.5 ? 1 : 0);
    // Every 20th row is off by +50.
    const y = Array.from({ length: 1000 }, (_, row) => clean(row) + (row % 20 === 0 ? 50 : 0));
    const options = { trees: 100, learningRate: 0.1, minSamplesLeaf: 5, validationFraction: 0 };
    const errorOf = (overrides: Partial<GbtOptions>) => {
      const prediction = predictGbt(trainGbt(features, y, { ...options, ...overrides }), features);
      return mae(
        prediction,
        Array.from({ length: 1000 }, (_, row) => clean(row)),
      );
    };
    const squared = errorOf({});
    const huber = errorOf({ huberDelta: 0.5 });
    assert.ok(huber < 0.2 && squared > 5 * huber, `MAE against the clean function: huber ${huber}, squared ${squared}`);
    assert.throws(() => resolveGbtOptions({ huberDelta: 0 }), /huberDelta=0 is out of range/);
  });

  it('boosts a prefix of shared bins exactly as on bins of its own when the edges agree', () => {
    const random = seededRandom(6);
    // Values on a grid of 50 levels: every prefix long enough sees each level, so its own quantile edges equal the whole's.
    const values = Float64Array.from({ length: 3000 }, () => Math.floor(random.float() * 50) / 50);
    const features = featureMatrix(values, 3);
    const y = Array.from({ length: 1000 }, (_, i) => values[i * 3] - values[i * 3 + 2]);
    const all = { features, binned: binFeatures(features), target: y };
    const prefix = binnedPrefix(all, 800);
    const options = { trees: 20, minSamplesLeaf: 5, validationFraction: 0 };
    assert.deepEqual(prefix.binned.upperEdges, binFeatures(sliceRows(features, 0, 800)).upperEdges);
    assert.deepEqual(
      boostBinned(prefix, undefined, options).trees,
      trainGbt(sliceRows(features, 0, 800), y.slice(0, 800), options).trees,
    );
  });

  it('names the option and the allowed range when an option is invalid', () => {
    assert.throws(() => resolveGbtOptions({ subsample: 0 }), /subsample=0 is out of range; allowed: \(0, 1\]/);
    assert.throws(
      () => trainGbt(featureMatrix(Float64Array.of(1, 2), 1), [1, NaN]),
      /Target at row 1 is NaN; drop rows/,
    );
  });
});

describe('gradient-boosted trees against scikit-learn', () => {
  it('matches GradientBoostingRegressor when every distinct value has its own bin', () => {
    // packages/forecasting/scripts/gbt_reference.py: exact depth-2 boosting, squared error, no subsampling.
    const reference = JSON.parse(readFileSync(join(__dirname, '../fixtures/gbt-reference.json'), 'utf8')) as {
      params: { n_estimators: number; learning_rate: number; max_depth: number; min_samples_leaf: number };
      features: number[][];
      target: number[];
      prediction: number[];
    };
    const { params } = reference;
    const features = featureMatrix(Float64Array.from(reference.features.flat()), reference.features[0].length);
    const model = trainGbt(features, reference.target, {
      ...exactTree,
      trees: params.n_estimators,
      learningRate: params.learning_rate,
      maxDepth: params.max_depth,
      maxLeaves: 2 ** params.max_depth,
      minSamplesLeaf: params.min_samples_leaf,
    });
    const prediction = predictGbt(model, features);
    // Our leaf values and base score are float32; scikit-learn keeps float64.
    const difference = Math.max(...reference.prediction.map((expected, i) => Math.abs(prediction[i] - expected)));
    assert.ok(difference < 1e-5, `max |ours - scikit-learn| = ${difference}`);
  });
});
