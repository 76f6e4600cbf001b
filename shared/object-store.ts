import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import pLimit from 'p-limit';
import type { S3Settings } from './config';
import { checkLinkSeconds } from './link-expiry';
import { createS3Client } from './s3';

export interface StoredObject {
  body: Uint8Array;
  etag?: string;
  metadata: Record<string, string>;
}

export interface PutOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  /** Conditional write: only if the object's current ETag matches ('*' with ifNoneMatch: only if absent). */
  ifMatch?: string;
  ifNoneMatch?: '*';
}

/** Conditional-write options: replace the object only if it is still at `etag`, or create it only if it is still absent (undefined). */
export const unchangedSince = (etag: string | undefined): Pick<PutOptions, 'ifMatch' | 'ifNoneMatch'> =>
  etag === undefined ? { ifNoneMatch: '*' } : { ifMatch: etag };

/** Object reads in flight when fetching versions: a replayed batch may rewrite many small files. */
const HEAD_CONCURRENCY = 16;

/** Runs a conditional operation and turns a lost condition into the caller's own error (a writer that lost its claim). */
export async function onLostCondition<T>(
  operation: () => Promise<T>,
  lost: (cause: PreconditionFailedError) => Error,
): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof PreconditionFailedError) throw lost(error);
    throw error;
  }
}

/**
 * The versions of `keys` (ETag, or undefined when absent) for writes fenced by a claim: `claim` is the ETag that a
 * conditional write of `claim.key` just returned. A read may see an object that a later claimant already wrote, so
 * when anything was found the claim is checked once more; writes conditional on these versions (unchangedSince)
 * then fail if anyone else touches the keys. Throws PreconditionFailedError when the claim was lost.
 */
export async function versionsUnderClaim(
  store: ObjectStore,
  keys: readonly string[],
  claim: { key: string; etag?: string },
): Promise<Map<string, string | undefined>> {
  const limit = pLimit(HEAD_CONCURRENCY);
  const versions = new Map<string, string | undefined>(
    await Promise.all(keys.map((key) => limit(async () => [key, (await store.head(key))?.etag] as const))),
  );
  if ([...versions.values()].some((etag) => etag !== undefined) && (await store.head(claim.key))?.etag !== claim.etag) {
    throw new PreconditionFailedError(`${claim.key} changed since it was claimed (another writer claimed it).`);
  }
  return versions;
}

/** The few object operations the pipeline needs; S3ObjectStore is the one implementation (S3 or MinIO). */
export interface ObjectStore {
  readonly bucket: string;
  get(key: string): Promise<StoredObject | undefined>;
  put(key: string, body: Uint8Array | string, options?: PutOptions): Promise<{ etag?: string }>;
  /** ETag and user metadata of an object, or undefined when it does not exist. */
  head(key: string): Promise<Omit<StoredObject, 'body'> | undefined>;
  list(prefix: string): Promise<string[]>;
  /** Server-side copy within the bucket, content type and metadata included: no bytes pass through the function. */
  copy(sourceKey: string, destinationKey: string): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

export interface PresignedLink {
  url: string;
  /** When the link stops working: its own expiry, or earlier when the credentials that signed it expire first. */
  expiresAt: Date;
  /** True when temporary (role, SSO) credentials end the link before its requested expiry. */
  cutShortByCredentials: boolean;
}

/** Links that let anyone without credentials GET one object until they expire (the bucket stays private). */
export interface ObjectPresigner {
  /** Signs locally, no request is made; `signedAt` (default now) lets several links expire at the same instant. */
  presignGet(key: string, expiresInSeconds: number, signedAt?: Date): Promise<PresignedLink>;
}

/** The storage service is down or refuses us: say which endpoint and how to fix it. */
export class ObjectStoreUnavailableError extends Error {
  override name = 'ObjectStoreUnavailableError';
}

/** A conditional put lost the race (412): someone else wrote the object first. */
export class PreconditionFailedError extends Error {
  override name = 'PreconditionFailedError';
}

export class S3ObjectStore implements ObjectStore, ObjectPresigner {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly where: string;

  constructor(settings: S3Settings, client: S3Client = createS3Client(settings)) {
    this.bucket = settings.bucket;
    this.client = client;
    this.where = `${settings.endpoint ?? 'AWS S3'} bucket ${settings.bucket}`;
  }

  async get(key: string): Promise<StoredObject | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { body: await out.Body!.transformToByteArray(), etag: out.ETag, metadata: out.Metadata ?? {} };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.explain(error, `get ${key}`);
    }
  }

  async put(key: string, body: Uint8Array | string, options: PutOptions = {}): Promise<{ etag?: string }> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          Metadata: options.metadata,
          IfMatch: options.ifMatch,
          IfNoneMatch: options.ifNoneMatch,
        }),
      );
      return { etag: out.ETag };
    } catch (error) {
      // If-Match on an object deleted since it was read is a 404 (S3 and MinIO): it changed all the same.
      if (statusOf(error) === 412 || (options.ifMatch !== undefined && statusOf(error) === 404)) {
        throw new PreconditionFailedError(`${key} changed since it was read (conditional write refused).`);
      }
      throw this.explain(error, `put ${key}`);
    }
  }

  async head(key: string): Promise<Omit<StoredObject, 'body'> | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { etag: out.ETag, metadata: out.Metadata ?? {} };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw this.explain(error, `head ${key}`);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken }),
        );
        for (const item of page.Contents ?? []) if (item.Key) keys.push(item.Key);
        ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (ContinuationToken);
    } catch (error) {
      throw this.explain(error, `list ${prefix}`);
    }
    return keys;
  }

  async copy(sourceKey: string, destinationKey: string): Promise<void> {
    // CopySource is "<bucket>/<key>" with the key URL-encoded (S3 decodes it; '/' may stay).
    const CopySource = `${this.bucket}/${sourceKey.split('/').map(encodeURIComponent).join('/')}`;
    try {
      await this.client.send(
        new CopyObjectCommand({ Bucket: this.bucket, Key: destinationKey, CopySource, MetadataDirective: 'COPY' }),
      );
    } catch (error) {
      throw this.explain(error, `copy ${sourceKey} to ${destinationKey}`);
    }
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const Objects = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects } })).catch((error) => {
        throw this.explain(error, `delete ${Objects.length} objects`);
      });
    }
  }

  async presignGet(key: string, expiresInSeconds: number, signedAt = new Date()): Promise<PresignedLink> {
    checkLinkSeconds(expiresInSeconds);
    // SigV4 stamps whole seconds and counts the expiry from that stamp.
    const signingDate = new Date(Math.floor(signedAt.getTime() / 1000) * 1000);
    try {
      const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        expiresIn: expiresInSeconds,
        signingDate,
      });
      const { expiration } = await this.client.config.credentials();
      const requested = signingDate.getTime() + expiresInSeconds * 1000;
      const cutShortByCredentials = expiration !== undefined && expiration.getTime() < requested;
      return { url, expiresAt: cutShortByCredentials ? expiration : new Date(requested), cutShortByCredentials };
    } catch (error) {
      throw new Error(
        `Cannot sign a link to ${key} at ${this.where}: ${(error as Error).message}. Check the credentials (locally S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY; in AWS a role or profile allowed s3:GetObject).`,
        { cause: error },
      );
    }
  }

  private explain(error: unknown, action: string): Error {
    const status = statusOf(error);
    const message = (error as Error).message || (error as Error).name;
    if (status === undefined) {
      return new ObjectStoreUnavailableError(
        `Cannot ${action} at ${this.where}: ${message}. Is the object store running? Locally: npm run stack:up; otherwise check S3_ENDPOINT (unset: the local MinIO at http://localhost:9000; empty: AWS S3).`,
        { cause: error },
      );
    }
    if (status === 403)
      return new ObjectStoreUnavailableError(
        `Access denied to ${action} at ${this.where}: check S3_ACCESS_KEY_ID/S3_SECRET_ACCESS_KEY (locally) or the function's IAM role.`,
        { cause: error },
      );
    if ((error as Error).name === 'NoSuchBucket')
      return new ObjectStoreUnavailableError(
        `Bucket missing at ${this.where}: create it (locally: npm run stack:up).`,
        { cause: error },
      );
    return new Error(`Cannot ${action} at ${this.where}: ${message}`, { cause: error });
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
