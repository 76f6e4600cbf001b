import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import type { PipelineConfig } from '../shared/config';
import { createKafka } from '../shared/kafka';
import type { SecretReader } from '../shared/secrets';
import { createS3Client } from '../shared/s3';
import { StackError } from './errors';
import { sleep } from './processes';

/** True when the broker answers a metadata request. */
export async function kafkaAnswers(brokers: string[]): Promise<boolean> {
  const admin = new Kafka({
    clientId: 'stack-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1500,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const OFFSETS_TOPIC = '__consumer_offsets';
/** A couple of quick retries: with none, kafkajs fails a fresh client's first group request ("No brokers in the broker pool"). */
const PROBE_RETRY = { retries: 2, initialRetryTime: 100, maxRetryTime: 500 };

/**
 * Kafka's group → offsets-partition rule: Utils.abs(groupId.hashCode()) % partitions, where Utils.abs is Math.abs
 * but 0 for Integer.MIN_VALUE (not a mask of the sign bit: that moves every group with a negative hash).
 */
export function offsetsPartitionOf(groupId: string, partitions: number): number {
  let hash = 0;
  for (let i = 0; i < groupId.length; i += 1) hash = (Math.imul(31, hash) + groupId.charCodeAt(i)) | 0;
  return (hash === -0x80000000 ? 0 : Math.abs(hash)) % partitions;
}

/** One group name per partition of the offsets topic, so probing them all touches every coordinator. */
export function probeGroups(partitions: number): string[] {
  const byPartition = new Map<number, string>();
  for (let n = 0; byPartition.size < partitions; n += 1) {
    const groupId = `stack-readiness-${n}`;
    const partition = offsetsPartitionOf(groupId, partitions);
    if (!byPartition.has(partition)) byPartition.set(partition, groupId);
  }
  return [...byPartition.values()];
}

/**
 * True when any consumer group can find its coordinator and read its offsets, and an idempotent producer gets
 * its producer id. A fresh broker creates the offsets topic on the first group request and loads each of its
 * partitions afterwards; until then group requests fail with "not the correct coordinator" or "loading", which
 * is what crashed a first `sls offline start`. Its first producer id waits for a block from the controller, and
 * until then InitProducerId answers "the coordinator is loading" (kafkajs logs that as an ERROR, then retries).
 */
export async function groupCoordinatorAnswers(brokers: string[]): Promise<boolean> {
  const kafka = new Kafka({
    clientId: 'stack-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1500,
    retry: PROBE_RETRY,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true });
  try {
    await admin.connect();
    // The first request for a group creates the offsets topic on a fresh broker.
    await admin.fetchOffsets({ groupId: 'stack-readiness-0', topics: [] });
    const [offsets] = (await admin.fetchTopicMetadata({ topics: [OFFSETS_TOPIC] })).topics;
    if (!offsets || offsets.partitions.some((p) => p.leader < 0)) return false;
    for (const groupId of probeGroups(offsets.partitions.length)) await admin.fetchOffsets({ groupId, topics: [] });
    await producer.connect();
    return true;
  } catch {
    return false;
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]).catch(() => undefined);
  }
}

/** True when MinIO reports itself ready to serve requests. */
export async function minioAnswers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(new URL('/minio/health/ready', endpoint), { signal: AbortSignal.timeout(1500) });
    return response.ok;
  } catch {
    return false;
  }
}

export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  stillStarting: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    if (!stillStarting()) throw new StackError(`${what} stopped while starting.`);
    await sleep(500);
  }
  throw new StackError(`${what} did not become ready within ${Math.round(timeoutMs / 1000)} s.`);
}

/**
 * Creates the pipeline topics if missing and waits until every partition has a leader,
 * so the first produce never meets the NotLeaderForPartition race the prototype had.
 * Connects like the functions do (KAFKA_AUTH, ...), so it also provisions a cloud cluster
 * (`npm run kafka:topics`); the replication factor is the cluster's default.
 */
export async function ensureTopics(
  config: PipelineConfig,
  { timeoutMs = 60_000, secrets }: { timeoutMs?: number; secrets?: SecretReader } = {},
): Promise<string[]> {
  const { readings, deadLetter, predictions, partitions } = config.topics;
  const wanted = [readings, deadLetter, predictions];
  const admin = (await createKafka(config.kafka, 'provision', secrets)).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin
        .createTopics({ waitForLeaders: true, topics: missing.map((topic) => ({ topic, numPartitions: partitions })) })
        .catch((error: { type?: string }) => {
          // Another process created them between our list and create: that is the state we want.
          if (error.type !== 'TOPIC_ALREADY_EXISTS') throw error;
        });
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { topics } = await admin.fetchTopicMetadata({ topics: wanted });
      const leaderless = topics.flatMap((t) =>
        t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}-${p.partitionId}`),
      );
      // A leader in the metadata is not yet a leader that answers: a new partition's first ListOffsets can still
      // get NOT_LEADER_FOR_PARTITION, so the topics are ready once every partition serves its offsets.
      if (leaderless.length === 0 && (await servesOffsets(admin, wanted))) return missing;
      if (Date.now() > deadline)
        throw new StackError(
          `Partitions without a leader after ${timeoutMs / 1000} s: ${leaderless.join(', ')}. See npm run stack:logs.`,
        );
      await sleep(250);
    }
  } finally {
    await admin.disconnect();
  }
}

const NOT_READY = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION']);

async function servesOffsets(admin: Admin, topics: string[]): Promise<boolean> {
  try {
    await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
    return true;
  } catch (error) {
    const { type, originalError } = error as { type?: string; originalError?: { type?: string } };
    if (NOT_READY.has(type ?? originalError?.type ?? '')) return false;
    throw error;
  }
}

/** Creates the (private) bucket if missing. */
export async function ensureBucket(config: PipelineConfig, s3: S3Client = createS3Client(config.s3)): Promise<void> {
  const Bucket = config.s3.bucket;
  try {
    await s3.send(new HeadBucketCommand({ Bucket }));
    return;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) throw error;
  }
  await s3.send(new CreateBucketCommand({ Bucket })).catch((error: { name?: string }) => {
    if (error.name !== 'BucketAlreadyOwnedByYou') throw error;
  });
}
