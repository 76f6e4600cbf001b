import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { onnx } from 'onnx-proto';
import { fitDifferencedAr, linearForecast, predictLinearForecast } from '../../src/model/ar';
import { predictGbt, trainGbt } from '../../src/model/gbt';
import { featureMatrix, type FeatureMatrix } from '../../src/model/matrix';
import { seededRandom, type Random } from '@air-quality/preprocessing';
import { linearForecastToOnnx } from '../../src/onnx/linear';
import { gbtToOnnx } from '../../src/onnx/tree-ensemble';

/** Float32 features, a share of them missing: the input the ONNX model receives at inference. */
function float32Features(rows: number, cols: number, missingShare: number, random: Random): FeatureMatrix {
  return featureMatrix(
    Float32Array.from({ length: rows * cols }, () => (random.float() < missingShare ? NaN : 10 * random.float() - 5)),
    cols,
  );
}

async function runOnnx(model: Uint8Array, features: FeatureMatrix): Promise<Float32Array> {
  const session = await InferenceSession.create(model);
  assert.deepEqual([session.inputNames, session.outputNames], [['features'], ['prediction']]);
  const input = new Tensor('float32', Float32Array.from(features.values), [features.rows, features.cols]);
  const { prediction } = await session.run({ features: input });
  assert.deepEqual(prediction.dims, [features.rows, 1]);
  return prediction.data as Float32Array;
}

function maxAbsoluteDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  return Array.from(a).reduce((max, v, i) => Math.max(max, Math.abs(v - b[i])), 0);
}

describe('ONNX export', () => {
  it('runs the tree ensemble in onnxruntime-node with the in-process predictions, NaNs included', async () => {
    const random = seededRandom(21);
    const train = float32Features(3000, 8, 0.15, random);
    const value = (row: number, col: number) => train.values[row * 8 + col];
    const y = Array.from({ length: 3000 }, (_, row) => {
      const x0 = value(row, 0);
      return (
        (Number.isNaN(x0) ? 4 : Math.sin(x0)) +
        (Number.isNaN(value(row, 1)) ? -2 : value(row, 1) ** 2 / 10) +
        random.float()
      );
    });
    const model = trainGbt(train, y, {
      trees: 150,
      learningRate: 0.1,
      subsample: 0.8,
      colsample: 0.7,
      validationFraction: 0,
    });
    assert.ok(model.trees.some((tree) => tree.nodes.some((node) => node.kind === 'split' && node.missingGoesLeft)));
    assert.ok(model.trees.some((tree) => tree.nodes.some((node) => node.kind === 'split' && !node.missingGoesLeft)));

    const test = float32Features(4000, 8, 0.15, random);
    const onnxPrediction = await runOnnx(gbtToOnnx(model), test);
    const difference = maxAbsoluteDifference(onnxPrediction, predictGbt(model, test));
    assert.ok(difference <= 1e-5, `max |onnx - in-process| = ${difference}`);
  });

  it('runs the linear AR forecast as a Gemm over lag columns', async () => {
    const reference = JSON.parse(readFileSync(join(__dirname, '../fixtures/ar-reference.json'), 'utf8')) as {
      levels: number[];
    };
    const model = fitDifferencedAr(reference.levels, { maxOrder: 6 });
    const columns = { featureCount: 10, lagColumns: [7, 2, 4].slice(0, model.order + 1) };
    assert.equal(columns.lagColumns.length, model.order + 1);
    const test = float32Features(3000, 10, 0, seededRandom(22));

    for (const horizon of [1, 6, 24]) {
      const forecast = linearForecast(model, horizon);
      const difference = maxAbsoluteDifference(
        await runOnnx(linearForecastToOnnx(forecast, columns), test),
        predictLinearForecast(forecast, columns, test),
      );
      assert.ok(difference <= 1e-5, `h=${horizon}: max |onnx - in-process| = ${difference}`);
    }
  });

  it('stores the description and metadata with the model', () => {
    const model = trainGbt(
      featureMatrix(
        Float64Array.from({ length: 100 }, (_, i) => i),
        1,
      ),
      Array.from({ length: 100 }, (_, i) => i % 7),
      {
        trees: 2,
        validationFraction: 0,
      },
    );
    const bytes = gbtToOnnx(model, { description: 'co_gt, 6 h ahead', metadata: { target: 'co_gt', horizon: '6' } });
    const decoded = onnx.ModelProto.decode(bytes);
    assert.equal(decoded.docString, 'co_gt, 6 h ahead');
    assert.deepEqual(
      decoded.metadataProps.map(({ key, value }) => [key, value]),
      [
        ['target', 'co_gt'],
        ['horizon', '6'],
      ],
    );
    assert.deepEqual(
      decoded.opsetImport.map(({ domain, version }) => [domain, Number(version)]),
      [
        ['', 17],
        ['ai.onnx.ml', 3],
      ],
    );
  });

  it('rejects lag columns that do not fit the forecast', () => {
    const forecast = { horizon: 1, intercept: 0, weights: [1.2, -0.2] };
    assert.throws(() => linearForecastToOnnx(forecast, { featureCount: 4, lagColumns: [0] }), /needs 2 lag columns/);
    assert.throws(
      () => linearForecastToOnnx(forecast, { featureCount: 4, lagColumns: [0, 4] }),
      /Lag column 4 .* outside the 4 feature columns/,
    );
  });
});
