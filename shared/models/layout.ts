/**
 * Where the model registry keeps its files in the bucket, shared by `train` (writes) and `infer` (reads):
 *   <prefix><target>/h<H>/<version>/{model.onnx, manifest.json, evaluation.json, tuning.json, sample.json}
 *   <prefix><target>/h<H>/current.json → { version } of the promoted model
 */

/** The registry prefix comes from MODEL_REGISTRY_PREFIX (default `models/`); tests use their own. */
export function registryPrefix(env: Record<string, string | undefined> = process.env): string {
  const prefix = env.MODEL_REGISTRY_PREFIX?.trim() || 'models/';
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

const modelPrefix = (prefix: string, target: string, horizon: number) => `${prefix}${target}/h${horizon}/`;

export const versionPrefix = (prefix: string, target: string, horizon: number, version: string): string =>
  `${modelPrefix(prefix, target, horizon)}${version}/`;

export const currentKey = (prefix: string, target: string, horizon: number): string =>
  `${modelPrefix(prefix, target, horizon)}current.json`;
