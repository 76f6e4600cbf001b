/**
 * The I/O of on-failure destinations: a producer on the mapping's cluster for `kafka://topic`, an S3 client for
 * `s3://bucket` (MinIO locally: endpoint from AWS_ENDPOINT_URL_S3 or S3_ENDPOINT, credentials from the usual AWS
 * environment, path-style addressing). The records they write come from on-failure.ts.
 */
import { randomUUID } from 'node:crypto';
import { HeadBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Producer } from 'kafkajs';
import type { MappingSettings } from './mapping';
import {
  kafkaDestinationMessages,
  localMappingUuid,
  s3DestinationObject,
  s3ObjectKey,
  type Discard,
} from './on-failure';

export interface Destination {
  /** `kafka://topic` or `s3://bucket`, for log lines. */
  readonly name: string;
  deliver(discard: Discard): Promise<void>;
  /** Errors that trying again cannot fix (a message too large for the broker, a missing bucket): AWS drops such records. */
  isPermanent(error: unknown): boolean;
  close(): Promise<void>;
}

export function s3ClientFromEnvironment(env: NodeJS.ProcessEnv = process.env): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.S3_ENDPOINT || undefined;
  return new S3Client({
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
}

export function kafkaDestination(topic: string, producer: () => Promise<Producer>): Destination {
  let connected: Producer | undefined;
  return {
    name: `kafka://${topic}`,
    async deliver(discard) {
      connected ??= await producer();
      const now = new Date();
      await connected.send({
        topic,
        messages: kafkaDestinationMessages(discard, () => ({ requestId: randomUUID(), now })),
      });
    },
    // kafkajs marks what a retry can fix (leader moved, broker away); MESSAGE_TOO_LARGE and the like are not.
    isPermanent: (error) => (error as { retriable?: boolean }).retriable === false,
    close: async () => connected?.disconnect(),
  };
}

export function s3Destination(bucket: string, mapping: MappingSettings, client: S3Client): Destination {
  const mappingUuid = localMappingUuid(mapping.consumerGroupId, mapping.functionKey, mapping.topic);
  return {
    name: `s3://${bucket}`,
    async deliver(discard) {
      const now = new Date();
      const { topic, partition } = discard.records[0]!;
      const Key = s3ObjectKey(mappingUuid, topic, partition, now, randomUUID());
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key,
          Body: s3DestinationObject(discard, { requestId: randomUUID(), now }),
          ContentType: 'application/json',
        }),
      );
    },
    isPermanent: (error) => {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0;
      return status >= 400 && status < 500 && status !== 408 && status !== 429;
    },
    close: async () => client.destroy(),
  };
}

/** Fails start-up with the fix when the bucket is missing or unreachable, as a missing topic does. */
export async function checkBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch (error) {
    const endpoint = await client.config.endpoint?.().then((url) => `${url.protocol}//${url.hostname}:${url.port}`);
    throw new Error(
      `on-failure destination s3://${bucket} is not reachable at ${endpoint ?? 'AWS S3'} (${(error as Error).name}: ${(error as Error).message}); create the bucket, and set AWS_ENDPOINT_URL_S3 (or S3_ENDPOINT) and AWS credentials for it`,
      { cause: error },
    );
  }
}
