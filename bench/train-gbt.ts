/**
 * Training cost of the gradient-boosted trees at the size `train` sees on the UCI data
 * (about 9000 hourly rows × 60 engineered features), plus ONNX export and inference.
 *   npx tsx bench/train-gbt.ts     → prints the figures and writes bench/results/train-gbt.json
 */
import { saveResult } from './support/results';
import { median } from './support/stats';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { predictGbt, trainGbt, type GbtOptions } from '@air-quality/forecasting';
import { featureMatrix } from '@air-quality/forecasting';
import { seededRandom } from '@air-quality/preprocessing';
import { leafCount } from '@air-quality/forecasting';
import { gbtToOnnx } from '@air-quality/forecasting';

const rows = 9000;
const cols = 60;
const missingShare = 0.05;
const repeats = 3;
// All 300 rounds run: no validation slice, so nothing stops early.
const options: Partial<GbtOptions> = { trees: 300, validationFraction: 0 };

/** Float32 features with a smooth nonlinear signal in a few columns and noise. */
function syntheticData() {
  const random = seededRandom(2026);
  const values = Float32Array.from({ length: rows * cols }, () =>
    random.float() < missingShare ? NaN : random.float(),
  );
  const at = (row: number, col: number) => values[row * cols + col] || 0.5;
  const target = Array.from(
    { length: rows },
    (_, row) =>
      Math.sin(6 * at(row, 0)) + at(row, 1) * at(row, 2) * 4 + (at(row, 3) > 0.7 ? 1 : 0) + 0.3 * random.float(),
  );
  return { features: featureMatrix(values, cols), target };
}

async function main(): Promise<void> {
  const { features, target } = syntheticData();
  const trainMs: number[] = [];
  let model = trainGbt(features, target, options);
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    model = trainGbt(features, target, options);
    trainMs.push(performance.now() - started);
  }

  let started = performance.now();
  const inProcess = predictGbt(model, features);
  const predictMs = performance.now() - started;

  started = performance.now();
  const onnxModel = gbtToOnnx(model);
  const exportMs = performance.now() - started;
  const session = await InferenceSession.create(onnxModel);
  started = performance.now();
  const { prediction } = await session.run({
    features: new Tensor('float32', features.values as Float32Array, [rows, cols]),
  });
  const onnxRunMs = performance.now() - started;
  const onnxPrediction = prediction.data as Float32Array;
  const maxAbsDifference = onnxPrediction.reduce((max, v, i) => Math.max(max, Math.abs(v - inProcess[i])), 0);

  const result = {
    rows,
    features: cols,
    missingShare,
    trees: model.trees.length,
    leaves: model.trees.reduce((sum, tree) => sum + leafCount(tree), 0),
    options: model.options,
    repeats,
    trainMsMedian: Math.round(median(trainMs)),
    trainMs: trainMs.map(Math.round),
    msPerTree: Number((median(trainMs) / model.trees.length).toFixed(2)),
    predictMs: Math.round(predictMs),
    onnxExportMs: Math.round(exportMs),
    onnxBytes: onnxModel.length,
    onnxRunMs: Math.round(onnxRunMs),
    onnxMaxAbsDifference: maxAbsDifference,
  };
  const { options: fitOptions, ...figures } = result;
  console.table({ ...figures, trainMs: figures.trainMs.join(', ') });
  console.log('options', fitOptions);
  saveResult('train-gbt', result);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
