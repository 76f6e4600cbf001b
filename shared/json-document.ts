import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { onLostCondition, type PreconditionFailedError, unchangedSince, type ObjectStore } from './object-store';
import { parseJsonText } from './validation';

/** A document as read, with the version it was read at: etag undefined means it does not exist (yet). */
export interface Versioned<T> {
  readonly value: T | undefined;
  readonly etag?: string;
}

export interface JsonDocumentRules<T> {
  /** Not strict: a z.object strips the helper's `write` field. */
  readonly schema: z.ZodType<T>;
  /** The error for a stored document that is not JSON or not this schema: name the object and the fix. */
  readonly invalid: (problem: string, location: string) => Error;
  /** The error for a compare-and-set that lost: someone wrote the document since it was read. */
  readonly lost: (cause: PreconditionFailedError) => Error;
}

/**
 * One JSON object in the bucket, read with its ETag, validated, and replaced only by a compare-and-set on that
 * ETag (If-Match; If-None-Match: * when it was absent). S3 and MinIO answer If-Match on a deleted object with 404,
 * which ObjectStore.put reports as a lost condition like 412. Every write carries a unique `write` field, so no
 * two writes share an ETag and a writer's version is its own (a claim can never be mistaken for another's).
 */
export class JsonDocument<T extends object> {
  constructor(
    private readonly store: ObjectStore,
    readonly key: string,
    private readonly rules: JsonDocumentRules<T>,
  ) {}

  async read(): Promise<Versioned<T>> {
    const object = await this.store.get(this.key);
    if (!object) return { value: undefined };
    const parsed = parseJsonText(this.rules.schema, new TextDecoder().decode(object.body), 'document');
    if (!parsed.ok) throw this.rules.invalid(parsed.problem, `s3://${this.store.bucket}/${this.key}`);
    return { value: parsed.data, etag: object.etag };
  }

  /** Replaces the version read as `previous` with `value`, or throws the rules' `lost` error. */
  async write(previous: Pick<Versioned<T>, 'etag'>, value: T): Promise<Versioned<T>> {
    const body = JSON.stringify({ ...value, write: randomUUID() });
    const { etag } = await onLostCondition(
      () => this.store.put(this.key, body, { contentType: 'application/json', ...unchangedSince(previous.etag) }),
      this.rules.lost,
    );
    return { value, etag };
  }
}
