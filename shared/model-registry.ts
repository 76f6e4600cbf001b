import { createHash } from 'node:crypto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { PreconditionFailedError, unchangedSince, type ObjectStore } from './object-store';
import { parseJsonText } from './validation';

/**
 * The model registry in the bucket, shared by `train` (writes) and `infer` (reads):
 *   <prefix><target>/h<H>/<version>/{model.onnx, manifest.json, evaluation.json, tuning.json, sample.json}
 *   <prefix><target>/h<H>/current.json → { version } of the promoted model
 */
export const MANIFEST_SCHEMA_VERSION = 1;

const featureStatisticsSchema = z.strictObject({
  name: z.string(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  count: z.number().int().nonnegative(),
});
export type FeatureStatistics = z.output<typeof featureStatisticsSchema>;

/** What the ONNX output means: the level itself, or the change from the named feature (the current level). */
const modelOutputSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('level') }),
  z.strictObject({ kind: z.literal('change'), base: z.string() }),
]);
export type ModelOutput = z.output<typeof modelOutputSchema>;

const trainingWindowSchema = z.strictObject({ start: z.string(), end: z.string(), rows: z.number().int() });

export const manifestSchema = z.strictObject({
  schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
  version: z.string(),
  createdAt: z.string(),
  target: z.string(),
  horizon: z.number().int().min(1),
  model: z.strictObject({
    kind: z.enum(['gradient-boosted-trees', 'arima-p10']),
    hyperParameters: z.record(z.string(), z.unknown()),
  }),
  output: modelOutputSchema,
  /** The layer's resolved FeatureSpec: infer builds its online window from it. */
  featureSpec: z.record(z.string(), z.unknown()),
  features: z.array(featureStatisticsSchema).min(1),
  onnx: z.strictObject({ input: z.string(), output: z.string(), sha256: z.string() }),
  source: z.strictObject({ kind: z.enum(['reference', 'lake']), origin: z.string(), sha256: z.string().optional() }),
  /** The rows the evaluated model was fitted on (its holdout scores are `metrics`). */
  trainingWindow: trainingWindowSchema,
  /** The published model: the evaluated one refitted on every usable row, holdout included (absent before refits). */
  refit: z.strictObject({ trainingWindow: trainingWindowSchema, rule: z.string() }).optional(),
  metrics: z.record(z.string(), z.unknown()),
});
export type ModelManifest = z.output<typeof manifestSchema>;

export const currentPointerSchema = z.strictObject({
  version: z.string(),
  promotedAt: z.string(),
  holdoutMae: z.number(),
});
type CurrentPointer = z.output<typeof currentPointerSchema>;

/** One sample row: the features, and what onnxruntime returned for them at training time. */
const sampleSchema = z.strictObject({
  rows: z
    .array(
      z.strictObject({
        timestamp: z.string(),
        features: z.array(z.number().nullable()),
        output: z.number(),
        forecast: z.number(),
      }),
    )
    .min(1),
});
type ModelSample = z.output<typeof sampleSchema>;

export class ModelNotFoundError extends Error {
  override name = 'ModelNotFoundError';
}

export class InvalidModelError extends Error {
  override name = 'InvalidModelError';
}

export interface ModelArtifacts {
  model: Uint8Array;
  manifest: ModelManifest;
  evaluation: unknown;
  tuning: unknown;
  sample: ModelSample;
}

export const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** The registry prefix comes from MODEL_REGISTRY_PREFIX (default `models/`); tests use their own. */
export function registryPrefix(env: Record<string, string | undefined> = process.env): string {
  const prefix = env.MODEL_REGISTRY_PREFIX?.trim() || 'models/';
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export class ModelRegistry {
  constructor(
    private readonly store: ObjectStore,
    readonly prefix: string = registryPrefix(),
  ) {}

  private modelPrefix(target: string, horizon: number): string {
    return `${this.prefix}${target}/h${horizon}/`;
  }

  versionPrefix(target: string, horizon: number, version: string): string {
    return `${this.modelPrefix(target, horizon)}${version}/`;
  }

  currentKey(target: string, horizon: number): string {
    return `${this.modelPrefix(target, horizon)}current.json`;
  }

  /** Writes a version's files, the manifest last: a version with a manifest is complete. */
  async publish(artifacts: ModelArtifacts): Promise<string> {
    const { target, horizon, version } = artifacts.manifest;
    const at = this.versionPrefix(target, horizon, version);
    await this.store.put(`${at}model.onnx`, artifacts.model, { contentType: 'application/octet-stream' });
    await this.store.put(`${at}evaluation.json`, json(artifacts.evaluation), { contentType: 'application/json' });
    await this.store.put(`${at}tuning.json`, json(artifacts.tuning), { contentType: 'application/json' });
    await this.store.put(`${at}sample.json`, json(artifacts.sample), { contentType: 'application/json' });
    await this.store.put(`${at}manifest.json`, json(artifacts.manifest), { contentType: 'application/json' });
    return at;
  }

  /** The promoted pointer and its ETag (to detect a change cheaply), or undefined when none is promoted. */
  async current(target: string, horizon: number): Promise<{ pointer: CurrentPointer; etag?: string } | undefined> {
    const object = await this.store.get(this.currentKey(target, horizon));
    if (!object) return undefined;
    return {
      pointer: parseJson(currentPointerSchema, object.body, this.currentKey(target, horizon)),
      etag: object.etag,
    };
  }

  async currentEtag(target: string, horizon: number): Promise<string | undefined> {
    return (await this.store.head(this.currentKey(target, horizon)))?.etag;
  }

  /** Points current.json at a version, only if current.json is still what the caller read (etag; undefined = absent). */
  async promote(
    target: string,
    horizon: number,
    pointer: CurrentPointer,
    expectedEtag: string | undefined,
  ): Promise<void> {
    try {
      await this.store.put(this.currentKey(target, horizon), json(pointer), {
        contentType: 'application/json',
        ...unchangedSince(expectedEtag),
      });
    } catch (error) {
      if (error instanceof PreconditionFailedError)
        throw new Error(
          `Another training run promoted a model for ${target} h${horizon} meanwhile; version ${pointer.version} is published but not promoted. Train again to compare against the new current model.`,
          { cause: error },
        );
      throw error;
    }
  }

  /** A published version's model bytes, manifest and sample, validated. */
  async load(
    target: string,
    horizon: number,
    version: string,
  ): Promise<{ model: Uint8Array; manifest: ModelManifest; sample: ModelSample }> {
    const at = this.versionPrefix(target, horizon, version);
    const files = ['model.onnx', 'manifest.json', 'sample.json'];
    const objects = await Promise.all(files.map((name) => this.store.get(`${at}${name}`)));
    const missing = files.filter((_, i) => !objects[i]);
    if (missing.length)
      throw new ModelNotFoundError(
        `Model version ${at} lacks ${missing.join(', ')}; train again (the run that wrote it did not finish).`,
      );
    const [model, manifest, sample] = objects;
    const parsed = parseJson(manifestSchema, manifest!.body, `${at}manifest.json`);
    if (sha256Hex(model!.body) !== parsed.onnx.sha256)
      throw new InvalidModelError(
        `${at}model.onnx does not match the sha256 in its manifest; the version was overwritten or corrupted. Train again.`,
      );
    return { model: model!.body, manifest: parsed, sample: parseJson(sampleSchema, sample!.body, `${at}sample.json`) };
  }
}

function parseJson<S extends z.ZodType>(schema: S, body: Uint8Array, key: string): z.output<S> {
  const parsed = parseJsonText(schema, new TextDecoder().decode(body), 'root');
  if (parsed.ok) return parsed.data;
  if (parsed.kind === 'syntax') throw new InvalidModelError(`${key} is ${parsed.problem}; train again to rewrite it.`);
  throw new InvalidModelError(`${key} is malformed: ${parsed.problem}. Train again to rewrite it.`);
}

/** Forecast levels from the model's raw outputs: a change model adds its base feature (the current level) back. */
export function forecastLevels(
  output: ModelOutput,
  names: readonly string[],
  rawOutputs: ArrayLike<number>,
  features: ArrayLike<number>,
): Float64Array {
  if (output.kind === 'level') return Float64Array.from(rawOutputs);
  const base = names.indexOf(output.base);
  if (base < 0)
    throw new InvalidModelError(`The model predicts a change from ${output.base}, which is not among its features.`);
  const cols = names.length;
  return Float64Array.from(rawOutputs, (value, row) => value + features[row * cols + base]);
}

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
