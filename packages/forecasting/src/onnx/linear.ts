import { onnx } from 'onnx-proto';
import { featureWeights, type LinearForecast, type LinearForecastColumns } from '../model/ar';
import {
  encodeModel,
  featuresInput,
  floatTensor,
  onnxOpset,
  predictionOutput,
  type OnnxModelInfo,
} from './model-proto';

/** The linear forecast over the `features` input as one Gemm: prediction = features · W + intercept. */
export function linearForecastToOnnx(
  forecast: LinearForecast,
  columns: LinearForecastColumns,
  info: OnnxModelInfo = {},
): Uint8Array {
  const gemm = onnx.NodeProto.create({
    opType: 'Gemm',
    input: [featuresInput, 'weights', 'intercept'],
    output: [predictionOutput],
  });
  return encodeModel(
    {
      featureCount: columns.featureCount,
      nodes: [gemm],
      initializers: [
        floatTensor('weights', [columns.featureCount, 1], featureWeights(forecast, columns)),
        floatTensor('intercept', [1], [forecast.intercept]),
      ],
      opsets: [onnxOpset],
    },
    info,
  );
}
