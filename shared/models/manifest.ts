import { createHash } from 'node:crypto';
import { z } from 'zod';

/** What a model version's JSON files hold, and what its ONNX output means. */
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

/** current.json; not strict, so the JsonDocument's `write` field is dropped on read. */
export const currentPointerSchema = z.object({
  version: z.string(),
  promotedAt: z.string(),
  holdoutMae: z.number(),
});
export type CurrentPointer = z.output<typeof currentPointerSchema>;

/** One sample row: the features, and what onnxruntime returned for them at training time. */
export const sampleSchema = z.strictObject({
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
export type ModelSample = z.output<typeof sampleSchema>;

export class ModelNotFoundError extends Error {
  override name = 'ModelNotFoundError';
}

export class InvalidModelError extends Error {
  override name = 'InvalidModelError';
}

/** A version's files as train publishes them. */
export interface ModelArtifacts {
  model: Uint8Array;
  manifest: ModelManifest;
  evaluation: unknown;
  tuning: unknown;
  sample: ModelSample;
}

export const sha256Hex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

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
