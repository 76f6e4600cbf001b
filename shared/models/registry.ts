import type { z } from 'zod';
import { JsonDocument } from '../json-document';
import type { ObjectStore } from '../object-store';
import { parseJsonText } from '../validation';
import { currentKey, registryPrefix, versionPrefix } from './layout';
import {
  type CurrentPointer,
  currentPointerSchema,
  InvalidModelError,
  type ModelArtifacts,
  type ModelManifest,
  ModelNotFoundError,
  type ModelSample,
  manifestSchema,
  sampleSchema,
  sha256Hex,
} from './manifest';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The model registry in the bucket (see layout.ts): versions written once, and a pointer moved by compare-and-set. */
export class ModelRegistry {
  constructor(
    private readonly store: ObjectStore,
    readonly prefix: string = registryPrefix(),
  ) {}

  versionPrefix(target: string, horizon: number, version: string): string {
    return versionPrefix(this.prefix, target, horizon, version);
  }

  currentKey(target: string, horizon: number): string {
    return currentKey(this.prefix, target, horizon);
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
    const { value, etag } = await this.pointer(target, horizon).read();
    return value && { pointer: value, etag };
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
    await this.pointer(target, horizon, pointer.version).write({ etag: expectedEtag }, pointer);
  }

  /** A published version's model bytes, manifest and sample, validated. */
  async load(
    target: string,
    horizon: number,
    version: string,
  ): Promise<{ model: Uint8Array; manifest: ModelManifest; sample: ModelSample }> {
    const at = this.versionPrefix(target, horizon, version);
    const files = ['model.onnx', 'manifest.json', 'sample.json'] as const;
    const [model, manifest, sample] = await Promise.all(files.map((name) => this.store.get(`${at}${name}`)));
    if (!model || !manifest || !sample) {
      const missing = files.filter((_, i) => ![model, manifest, sample][i]);
      throw new ModelNotFoundError(
        `Model version ${at} lacks ${missing.join(', ')}; train again (the run that wrote it did not finish).`,
      );
    }
    const parsed = parseJson(manifestSchema, manifest.body, `${at}manifest.json`);
    if (sha256Hex(model.body) !== parsed.onnx.sha256)
      throw new InvalidModelError(
        `${at}model.onnx does not match the sha256 in its manifest; the version was overwritten or corrupted. Train again.`,
      );
    return { model: model.body, manifest: parsed, sample: parseJson(sampleSchema, sample.body, `${at}sample.json`) };
  }

  /** current.json as a versioned document; `promoting` is the version a lost promotion leaves published only. */
  private pointer(target: string, horizon: number, promoting = 'this run'): JsonDocument<CurrentPointer> {
    return new JsonDocument(this.store, this.currentKey(target, horizon), {
      schema: currentPointerSchema,
      invalid: (problem, location) =>
        new InvalidModelError(`${location} is not a model pointer (${problem}). Train again to rewrite it.`),
      lost: (cause) =>
        new Error(
          `Another training run promoted a model for ${target} h${horizon} meanwhile; version ${promoting} is published but not promoted. Train again to compare against the new current model.`,
          { cause },
        ),
    });
  }
}

function parseJson<S extends z.ZodType>(schema: S, body: Uint8Array, key: string): z.output<S> {
  const parsed = parseJsonText(schema, new TextDecoder().decode(body), 'root');
  if (parsed.ok) return parsed.data;
  if (parsed.kind === 'syntax') throw new InvalidModelError(`${key} is ${parsed.problem}; train again to rewrite it.`);
  throw new InvalidModelError(`${key} is malformed: ${parsed.problem}. Train again to rewrite it.`);
}
