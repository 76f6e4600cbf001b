import { featureNames, type FeatureSpec } from '@air-quality/preprocessing';
import { InvalidModelError } from '../../shared/models/manifest';
import { OnnxForecaster } from '../../shared/models/onnx-session';
import type { ModelRegistry } from '../../shared/models/registry';

/** The sample rows stored with a model must come out of onnxruntime as they did at training time. */
const SAMPLE_TOLERANCE = 1e-5;

interface LoadedModel {
  forecaster: OnnxForecaster;
  /** ETag of current.json when this model was loaded. */
  etag: string | undefined;
  sampleMaxAbsDifference: number;
}

/** Checks a stored model against its manifest and its sample; returns the largest sample difference. */
async function validate(
  forecaster: OnnxForecaster,
  sample: { features: (number | null)[]; output: number }[],
): Promise<number> {
  const { manifest } = forecaster;
  const expected = featureNames(manifest.featureSpec as FeatureSpec);
  const declared = manifest.features.map((f) => f.name);
  if (expected.join() !== declared.join()) {
    throw new InvalidModelError(
      `Model ${manifest.version}: its feature spec yields ${expected.length} features but the manifest lists ${declared.length} (or another order); the layer and the model disagree. Train again with this layer.`,
    );
  }
  const block = Float32Array.from(sample.flatMap((row) => row.features.map((v) => v ?? NaN)));
  const outputs = await forecaster.run(block);
  const difference = sample.reduce((max, row, i) => Math.max(max, Math.abs(outputs[i] - row.output)), 0);
  if (!(difference <= SAMPLE_TOLERANCE))
    throw new InvalidModelError(
      `Model ${manifest.version}: onnxruntime gives its sample rows outputs ${difference} away from those recorded at training (tolerance ${SAMPLE_TOLERANCE}). Train again.`,
    );
  return difference;
}

/**
 * The promoted model of one target and horizon, loaded once per container and reloaded when
 * current.json changes (one HEAD per call to notice it).
 */
export class ModelCache {
  private loaded: Promise<LoadedModel> | undefined;

  constructor(
    private readonly registry: ModelRegistry,
    readonly target: string,
    readonly horizon: number,
  ) {}

  /** The current model, or undefined when none is promoted yet. */
  async get(): Promise<(LoadedModel & { reloaded: boolean }) | undefined> {
    const etag = await this.registry.currentEtag(this.target, this.horizon);
    if (etag === undefined) {
      this.loaded = undefined;
      return undefined;
    }
    const cached = this.loaded && (await this.loaded.catch(() => undefined));
    if (cached && cached.etag === etag) return { ...cached, reloaded: false };
    this.loaded = this.load();
    const fresh = await this.loaded.catch((error) => {
      this.loaded = undefined;
      throw error;
    });
    return { ...fresh, reloaded: true };
  }

  private async load(): Promise<LoadedModel> {
    const current = await this.registry.current(this.target, this.horizon);
    if (!current)
      throw new InvalidModelError(`current.json for ${this.target} h${this.horizon} disappeared while loading; retry.`);
    const { model, manifest, sample } = await this.registry.load(this.target, this.horizon, current.pointer.version);
    const forecaster = await OnnxForecaster.create(model, manifest);
    return { forecaster, etag: current.etag, sampleMaxAbsDifference: await validate(forecaster, sample.rows) };
  }
}
