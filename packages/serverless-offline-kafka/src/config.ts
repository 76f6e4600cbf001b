/**
 * Reads the event source mappings from a Serverless service: every `kafka` and `msk` event of every function,
 * with the fields and defaults osls validates, plus local overrides from `custom.serverless-offline-kafka` (pure).
 */
import { mappingAccess, type AccessConfigurations, type SecretSource } from './access';
import { compileFilter, type FilterPattern } from './filter';
import type { MappingSettings, StartingPosition } from './mapping';
import type { RetryPolicy } from './retry';
import { fileSecrets, secretsFilePath } from './secrets';

/** `custom.serverless-offline-kafka` */
export interface PluginSettings {
  /** Broker list used for every mapping instead of the events' own; required for `msk` events. */
  bootstrapServers?: string | string[];
  /** Partitions of one mapping invoked at the same time. */
  partitionConcurrency?: number;
  retry?: Partial<RetryPolicy>;
  /** `kafka://<topic>` for mappings without a Kafka on-failure destination of their own (e.g. an SQS ARN in the cloud). */
  defaultOnFailureDestination?: string;
  sessionTimeoutMs?: number;
  /** How long stopping waits for running invocations before leaving them uncommitted (they are delivered again). */
  shutdownTimeoutMs?: number;
  /** The local broker's own access, for every mapping instead of the events' (`{}`: plaintext). */
  accessConfigurations?: AccessConfigurations;
  /** The JSON file with the secrets that access configurations name (default `.serverless-offline-kafka/secrets.json`). */
  secretsFile?: string;
}

/** The event fields osls accepts for `kafka` and `msk` (https://www.serverless.com/framework/docs/providers/aws/events/kafka). */
interface KafkaLikeEvent {
  topic?: string;
  bootstrapServers?: string[];
  arn?: unknown;
  batchSize?: number;
  maximumBatchingWindow?: number;
  enabled?: boolean;
  startingPosition?: 'LATEST' | 'TRIM_HORIZON' | 'AT_TIMESTAMP';
  startingPositionTimestamp?: number;
  consumerGroupId?: string;
  filterPatterns?: FilterPattern[];
  onFailureDestination?: string;
}

export interface ServiceDescription {
  service: string;
  stage: string;
  functions: Record<string, { events?: ReadonlyArray<Record<string, unknown>> }>;
}

export class KafkaConfigError extends Error {
  override name = 'KafkaConfigError';
}

const DEFAULT_BATCH_SIZE = 100;
/** Lambda's default for Kafka event sources when MaximumBatchingWindowInSeconds is not set. */
const DEFAULT_BATCHING_WINDOW_S = 0.5;
const KAFKA_DESTINATION = /^kafka:\/\/(.+)$/;

const asList = (servers: string | string[]): string[] => (Array.isArray(servers) ? servers : servers.split(',')).map((s) => s.trim()).filter(Boolean);

function startingPosition(event: KafkaLikeEvent, where: string): StartingPosition {
  const type = event.startingPosition ?? 'TRIM_HORIZON';
  if (type !== 'AT_TIMESTAMP') return { type };
  if (typeof event.startingPositionTimestamp !== 'number') throw new KafkaConfigError(`${where}: startingPosition AT_TIMESTAMP needs startingPositionTimestamp (Unix time in seconds).`);
  return { type, timestampMs: event.startingPositionTimestamp * 1000 };
}

export interface ReadResult {
  mappings: MappingSettings[];
  /** Settings that work in the cloud but not locally, and what the emulator does instead. */
  warnings: string[];
}

export function readMappings(service: ServiceDescription, settings: PluginSettings = {}, secrets: SecretSource = fileSecrets(secretsFilePath(settings.secretsFile))): ReadResult {
  const mappings: MappingSettings[] = [];
  const warnings: string[] = [];
  const overrideServers = settings.bootstrapServers === undefined ? undefined : asList(settings.bootstrapServers);
  const defaultTopic = settings.defaultOnFailureDestination === undefined ? undefined : KAFKA_DESTINATION.exec(settings.defaultOnFailureDestination)?.[1];
  if (settings.defaultOnFailureDestination !== undefined && !defaultTopic) {
    throw new KafkaConfigError(`custom.serverless-offline-kafka.defaultOnFailureDestination "${settings.defaultOnFailureDestination}" must look like kafka://<topic>.`);
  }
  const usedGroups = new Set<string>();

  for (const [functionKey, definition] of Object.entries(service.functions)) {
    (definition.events ?? []).forEach((wrapper, index) => {
      const kind = 'kafka' in wrapper ? 'kafka' : 'msk' in wrapper ? 'msk' : undefined;
      if (!kind) return;
      const event = wrapper[kind] as KafkaLikeEvent;
      const where = `functions.${functionKey}.events[${index}].${kind}`;
      if (event.enabled === false) return;
      if (!event.topic) throw new KafkaConfigError(`${where}: topic is required.`);

      const bootstrapServers = overrideServers ?? (kind === 'kafka' ? asList(event.bootstrapServers ?? []) : []);
      if (bootstrapServers.length === 0) {
        throw new KafkaConfigError(`${where}: no bootstrap servers to reach locally; set custom.serverless-offline-kafka.bootstrapServers (e.g. localhost:29092)${kind === 'msk' ? ' — an msk event names a cluster ARN, not brokers' : ''}.`);
      }
      const batchSize = event.batchSize ?? DEFAULT_BATCH_SIZE;
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) throw new KafkaConfigError(`${where}: batchSize ${batchSize} must be an integer from 1 to 10000.`);
      const windowSeconds = event.maximumBatchingWindow ?? DEFAULT_BATCHING_WINDOW_S;
      // Lambda takes whole seconds (CloudFormation rejects 0.5); only the default, when omitted, is 500 ms.
      if (event.maximumBatchingWindow !== undefined && !(Number.isInteger(windowSeconds) && windowSeconds >= 0 && windowSeconds <= 300)) {
        throw new KafkaConfigError(`${where}: maximumBatchingWindow ${windowSeconds} must be whole seconds from 0 to 300, as Lambda accepts; omit it for Lambda's 500 ms default.`);
      }
      const filterPatterns = event.filterPatterns ?? [];
      try {
        compileFilter(filterPatterns);
      } catch (error) {
        throw new KafkaConfigError(`${where}.filterPatterns: ${(error as Error).message}`);
      }

      let onFailureTopic = event.onFailureDestination === undefined ? undefined : KAFKA_DESTINATION.exec(event.onFailureDestination)?.[1];
      if (event.onFailureDestination !== undefined && !onFailureTopic) {
        warnings.push(`${where}: onFailureDestination ${event.onFailureDestination} cannot be reached locally; ${defaultTopic ? `using kafka://${defaultTopic}` : 'failed records are retried until they succeed (set custom.serverless-offline-kafka.defaultOnFailureDestination to kafka://<topic>)'}.`);
      }
      onFailureTopic ??= defaultTopic;

      const defaultGroupId = `${service.service}-${service.stage}-${functionKey}-${event.topic}`;
      let consumerGroupId = event.consumerGroupId ?? defaultGroupId;
      // Two mappings of one function on one topic are distinct event source mappings with their own groups.
      for (let n = 2; !event.consumerGroupId && usedGroups.has(consumerGroupId); n += 1) consumerGroupId = `${defaultGroupId}-${n}`;
      usedGroups.add(consumerGroupId);

      mappings.push({
        functionKey,
        source: kind === 'kafka' ? { eventSource: 'SelfManagedKafka' } : { eventSource: 'aws:kafka', eventSourceArn: mskArn(event.arn, service, functionKey) },
        bootstrapServers,
        topic: event.topic,
        batchSize,
        maximumBatchingWindowMs: windowSeconds * 1000,
        startingPosition: startingPosition(event, where),
        consumerGroupId,
        filterPatterns,
        ...(onFailureTopic ? { onFailureDestination: { type: 'kafka' as const, topic: onFailureTopic } } : {}),
        ...mappingAccess(kind, wrapper[kind] as Record<string, unknown>, where, { override: settings.accessConfigurations, secrets, warn: (line) => warnings.push(line) }),
      });
    });
  }
  return { mappings, warnings };
}

/** A CloudFormation reference (Ref, Fn::ImportValue) has no value offline; the event then carries a local placeholder ARN. */
function mskArn(arn: unknown, service: ServiceDescription, functionKey: string): string {
  return typeof arn === 'string' ? arn : `arn:aws:kafka:local:000000000000:cluster/${service.service}-${service.stage}/${functionKey}`;
}
