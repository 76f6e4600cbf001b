/**
 * The event source mapping for one `kafka`/`msk` event: a kafkajs consumer in the mapping's own group that
 * feeds one lane per assigned partition. Independent of Serverless: give it a handler function.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { Kafka, logLevel, type Admin, type Consumer, type KafkaConfig } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import pLimit from 'p-limit';
import { accessFailureHint } from './access';
import { checkBucket, kafkaDestination, s3ClientFromEnvironment, s3Destination, type Destination } from './destination';
import type { LambdaKafkaEvent } from './event';
import { compileFilter } from './filter';
import { PartitionLane, type LaneContext } from './lane';
import { formatInvocation, type InvocationSummary } from './log';
import type { MappingSettings } from './mapping';
import { isQuiet, MappingCounters, metricsReport, type MetricsReport } from './metrics';
import { localMappingUuid } from './on-failure';
import { pinStartingOffsets } from './positions';
import { defaultRetryPolicy, errorControls, validateRetryPolicy, type RetryPolicy } from './retry';
import { waitUntilReady } from './startup';

/** The topic of a `kafka://` on-failure destination. */
const kafkaDestinationTopic = (mapping: MappingSettings): string | undefined =>
  mapping.onFailureDestination?.type === 'kafka' ? mapping.onFailureDestination.topic : undefined;

/** Partitions invoked at once: provisioned mode's maximumPollers when set, else the local setting. */
export const invocationConcurrency = (
  mapping: Pick<MappingSettings, 'provisionedPollers'>,
  partitionConcurrency: number,
): number => mapping.provisionedPollers?.maximumPollers ?? partitionConcurrency;

export type KafkaHandler = (event: LambdaKafkaEvent) => Promise<unknown>;

export interface WorkerOptions {
  mapping: MappingSettings;
  handler: KafkaHandler;
  /**
   * Partitions of this mapping invoked at the same time (each partition stays strictly sequential). Default 3;
   * a mapping with provisionedPollers uses its maximumPollers instead.
   */
  partitionConcurrency?: number;
  /** The local backoff between attempts; how many attempts there are is the mapping's errorHandling (AWS's controls). */
  retry?: Partial<RetryPolicy>;
  /** Consumer group session timeout: how long a crashed emulator holds its partitions. Default 30 s (Kafka's). */
  sessionTimeoutMs?: number;
  /**
   * How long stop() waits for running invocations. Past it they are left running uncommitted, and the group
   * delivers their records again, so Ctrl-C is not held up by a slow batch. Default 5 s.
   */
  shutdownTimeoutMs?: number;
  /** How long start() waits for the broker and the group coordinator (a fresh broker takes seconds). Default 60 s. */
  startTimeoutMs?: number;
  /** Called once per invocation (and per batch skipped by filters); the default prints one line. */
  onInvocation?: (summary: InvocationSummary) => void;
  /** Problems that do not stop the mapping (broker away, consumer restarting, a blocked partition). */
  warn?: (line: string) => void;
  /** At most one "partition blocked" warning per partition per interval. Default 60 s. */
  blockedWarningIntervalMs?: number;
  /**
   * Receives the mapping's ESM metrics (an EMF line and a summary line) every `metricsIntervalMs` when something
   * happened, and once more at stop. The default prints the summary line only.
   */
  onMetrics?: (report: MetricsReport) => void;
  /** Default 60 s, CloudWatch's resolution for these metrics. */
  metricsIntervalMs?: number;
}

export class MappingWorker {
  private readonly mapping: MappingSettings;
  private readonly kafkaConfig: KafkaConfig;
  private readonly kafka: Kafka;
  private readonly consumer: Consumer;
  private readonly destination: Destination | undefined;
  /** Created on first use: only s3:// destinations need one. */
  private s3ClientInstance: S3Client | undefined;
  private readonly counters = new MappingCounters();
  private readonly onMetrics: (report: MetricsReport) => void;
  private readonly metricsTimer: NodeJS.Timeout;
  private readonly lanes = new Map<number, PartitionLane>();
  private readonly laneContext: LaneContext;
  private readonly warn: (line: string) => void;
  private readonly shutdownTimeoutMs: number;
  private readonly startTimeoutMs: number;
  private readonly aborted = new AbortController();
  private starting: Promise<void> | undefined;

  constructor(options: WorkerOptions) {
    const {
      mapping,
      handler,
      partitionConcurrency = 3,
      sessionTimeoutMs = 30_000,
      shutdownTimeoutMs = 5000,
      startTimeoutMs = 60_000,
    } = options;
    this.mapping = mapping;
    this.shutdownTimeoutMs = shutdownTimeoutMs;
    this.startTimeoutMs = startTimeoutMs;
    this.warn = options.warn ?? ((line) => console.warn(line));
    this.kafkaConfig = {
      clientId: `serverless-offline-kafka-${mapping.functionKey}`,
      brokers: mapping.bootstrapServers,
      ssl: mapping.access?.ssl,
      sasl: mapping.access?.sasl,
      // The emulator reports broker trouble itself, in one line, instead of kafkajs' multi-line JSON logs.
      logLevel: logLevel.NOTHING,
    };
    this.kafka = new Kafka(this.kafkaConfig);
    this.consumer = this.kafka.consumer({
      groupId: mapping.consumerGroupId,
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
      // Bounds how long stop() waits for an idle long poll; data still returns as soon as it arrives.
      maxWaitTimeInMs: 1000,
      retry: {
        retries: 8,
        // Never give up on a broker that went away: Lambda's pollers keep polling too.
        restartOnFailure: async (error) => {
          this.warn(
            `kafka λ ${mapping.functionKey}: consumer of ${mapping.topic} failed (${error.message}); restarting it`,
          );
          return true;
        },
      },
    });
    const limit = pLimit(invocationConcurrency(mapping, partitionConcurrency));
    const onInvocation = options.onInvocation ?? ((summary) => console.log(formatInvocation(summary)));
    this.destination = this.createDestination();
    this.laneContext = {
      mapping,
      controls: errorControls(mapping),
      backoff: validateRetryPolicy({ ...defaultRetryPolicy, ...options.retry }),
      keep: compileFilter(mapping.filterPatterns),
      invoke: (event) => limit(() => handler(event)),
      commit: (partition, nextOffset) =>
        this.consumer.commitOffsets([{ topic: mapping.topic, partition, offset: String(nextOffset) }]),
      ...(this.destination ? { destination: this.destination } : {}),
      count: (name, value) => this.counters.add(name, value),
      pause: (partition) => this.consumer.pause([{ topic: mapping.topic, partitions: [partition] }]),
      resume: (partition) => this.consumer.resume([{ topic: mapping.topic, partitions: [partition] }]),
      report: onInvocation,
      warn: this.warn,
      blockedWarningIntervalMs: options.blockedWarningIntervalMs ?? 60_000,
    };
    this.onMetrics = options.onMetrics ?? ((report) => console.log(report.summary));
    this.metricsTimer = setInterval(() => this.publishMetrics(), options.metricsIntervalMs ?? 60_000).unref();
  }

  /**
   * Waits for the broker, the topics and the group coordinator (a fresh broker is retried until startTimeoutMs,
   * saying so at once and every 5 s), pins the starting position, then consumes. On failure nothing is left running.
   */
  async start(): Promise<void> {
    this.starting = this.startConsuming();
    return this.starting;
  }

  private async startConsuming(): Promise<void> {
    const { topic, functionKey, bootstrapServers } = this.mapping;
    const cannotStart = `kafka λ ${functionKey}: cannot start the mapping on ${topic} at ${bootstrapServers.join(',')}`;
    try {
      await waitUntilReady({
        attempt: () => this.prepare(),
        timeoutMs: this.startTimeoutMs,
        onProgress: (error, waitedMs) =>
          this.warn(
            `kafka λ ${functionKey}: waiting for the broker at ${bootstrapServers.join(',')} (${error.message}); ${Math.round(waitedMs / 1000)} s of ${Math.round(this.startTimeoutMs / 1000)} s`,
          ),
        sleep: (ms) => sleep(ms, undefined, { signal: this.aborted.signal }),
      });
    } catch (error) {
      const hint = accessFailureHint(this.mapping.access, error);
      throw new Error(`${cannotStart}: ${(error as Error).message}${hint && `; ${hint}`}`, { cause: error });
    }
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) =>
      this.dropRevokedLanes(payload.memberAssignment[topic] ?? []),
    );
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart)
        this.warn(
          `kafka λ ${functionKey}: consumer of ${topic} stopped for good (${payload.error.message}); restart sls offline`,
        );
    });
    try {
      await this.consumer.connect();
      // Starting positions are pinned as committed offsets (prepare); a group without any starts from the beginning.
      await this.consumer.subscribe({ topic, fromBeginning: true });
      await this.consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => this.lane(batch.partition).accept(batch.messages, batch.highWatermark),
      });
    } catch (error) {
      await this.consumer.disconnect();
      throw new Error(`${cannotStart}: ${(error as Error).message}`, { cause: error });
    }
  }

  /** One try: the topics exist, the group coordinator answers, and the starting position is pinned. */
  private async prepare(): Promise<void> {
    // No retries of its own (kafkajs retries connections for seconds): waitUntilReady retries, with its deadline and progress lines.
    const admin = new Kafka({ ...this.kafkaConfig, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      await this.checkSourceAndDestination(admin);
      await admin.fetchOffsets({ groupId: this.mapping.consumerGroupId, topics: [this.mapping.topic] });
      await pinStartingOffsets(admin, this.mapping);
    } finally {
      await admin.disconnect();
    }
  }

  /** Lets running invocations finish (up to the shutdown timeout), then leaves the group. Uncommitted records are delivered again next time. */
  async stop(): Promise<void> {
    // A start still waiting for the broker gives up; one that got further finishes before the consumer is closed.
    this.aborted.abort();
    await this.starting?.catch(() => undefined);
    await Promise.all([...this.lanes.values()].map((lane) => lane.stop(this.shutdownTimeoutMs)));
    clearInterval(this.metricsTimer);
    this.publishMetrics();
    this.lanes.clear();
    await this.consumer.disconnect();
    await this.destination?.close();
  }

  private lane(partition: number): PartitionLane {
    let lane = this.lanes.get(partition);
    if (!lane) {
      lane = new PartitionLane(partition, this.laneContext);
      this.lanes.set(partition, lane);
    }
    return lane;
  }

  /** After a rebalance another member owns these partitions; its consumer resumes from our last commit. */
  private dropRevokedLanes(assigned: number[]): void {
    for (const [partition, lane] of this.lanes) {
      if (assigned.includes(partition)) continue;
      this.lanes.delete(partition);
      void lane.stop(this.shutdownTimeoutMs);
    }
  }

  /** The source topic, and a destination that exists and is not the source (AWS refuses that recursion). */
  private async checkSourceAndDestination(admin: Admin): Promise<void> {
    const onFailureTopic = kafkaDestinationTopic(this.mapping);
    if (onFailureTopic === this.mapping.topic)
      throw new Error(
        `onFailureDestination kafka://${onFailureTopic} is the source topic; AWS refuses that loop: use another topic`,
      );
    const wanted = [this.mapping.topic, onFailureTopic].filter((topic): topic is string => topic !== undefined);
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0)
      throw new Error(
        `topic ${missing.join(', ')} does not exist; create it first (the emulator never creates topics, like Lambda)`,
      );
    if (this.mapping.onFailureDestination?.type === 's3')
      await checkBucket(this.s3Client(), this.mapping.onFailureDestination.bucket);
  }

  private createDestination(): Destination | undefined {
    const destination = this.mapping.onFailureDestination;
    if (destination?.type === 'kafka') {
      return kafkaDestination(destination.topic, async () => {
        const producer = this.kafka.producer();
        await producer.connect();
        return producer;
      });
    }
    return destination?.type === 's3' ? s3Destination(destination.bucket, this.mapping, this.s3Client()) : undefined;
  }

  private s3Client(): S3Client {
    this.s3ClientInstance ??= s3ClientFromEnvironment();
    return this.s3ClientInstance;
  }

  private publishMetrics(): void {
    const counts = this.counters.drain();
    const lags = new Map([...this.lanes].map(([partition, lane]) => [partition, lane.offsetLag()]));
    if (isQuiet(counts, lags)) return;
    const { functionKey, topic, consumerGroupId } = this.mapping;
    this.onMetrics(
      metricsReport(
        { functionKey, topic, mappingUuid: localMappingUuid(consumerGroupId, functionKey, topic) },
        counts,
        lags,
        new Date(),
      ),
    );
  }
}
