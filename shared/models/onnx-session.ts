import { InferenceSession, Tensor } from 'onnxruntime-node';
import { forecastLevels, InvalidModelError, type ModelManifest } from './manifest';

/** An ONNX model in onnxruntime-node with the feature layout its manifest declares. */
export class OnnxForecaster {
  private constructor(
    private readonly session: InferenceSession,
    readonly manifest: ModelManifest,
  ) {}

  static async create(model: Uint8Array, manifest: ModelManifest): Promise<OnnxForecaster> {
    const session = await InferenceSession.create(model);
    if (session.inputNames[0] !== manifest.onnx.input || session.outputNames[0] !== manifest.onnx.output) {
      throw new InvalidModelError(
        `The ONNX model has input ${session.inputNames} and output ${session.outputNames}; its manifest says ${manifest.onnx.input} → ${manifest.onnx.output}. Train again.`,
      );
    }
    return new OnnxForecaster(session, manifest);
  }

  get featureCount(): number {
    return this.manifest.features.length;
  }

  /** Raw model outputs for row-major float32 features (NaN = missing). */
  async run(features: Float32Array): Promise<Float32Array> {
    const rows = features.length / this.featureCount;
    if (!Number.isInteger(rows))
      throw new InvalidModelError(
        `Got ${features.length} feature values, not a multiple of the model's ${this.featureCount} features.`,
      );
    if (rows === 0) return new Float32Array(0);
    const result = await this.session.run({
      [this.manifest.onnx.input]: new Tensor('float32', features, [rows, this.featureCount]),
    });
    return result[this.manifest.onnx.output].data as Float32Array;
  }

  /** Forecast levels of the target at t + horizon. */
  async forecast(features: Float32Array): Promise<{ outputs: Float32Array; levels: Float64Array }> {
    const outputs = await this.run(features);
    return {
      outputs,
      levels: forecastLevels(
        this.manifest.output,
        this.manifest.features.map((f) => f.name),
        outputs,
        features,
      ),
    };
  }
}
