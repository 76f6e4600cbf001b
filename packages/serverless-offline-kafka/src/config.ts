/**
 * Reads the event source mappings from a Serverless service: every `kafka` and `msk` event of every function,
 * with AWS's names, defaults and limits (CreateEventSourceMapping), plus the local knobs of
 * `custom.serverless-offline-kafka` (pure). The same reading feeds the emulator (readMappings) and the deployed
 * template (cloudformation.ts), so what runs locally is what AWS runs.
 */
import { mappingAccess, type AccessConfigurations, type SecretSource } from './access';
import { compileFilter, type FilterPattern } from './filter';
import type {
  ErrorHandling,
  MappingSettings,
  OnFailureDestination,
  ProvisionedPollers,
  StartingPosition,
} from './mapping';
import { errorHandlingProblems, type RetryPolicy } from './retry';
import { fileSecrets, secretsFilePath } from './secrets';

/** `custom.serverless-offline-kafka`: local knobs only; everything AWS has is set per event. */
export interface PluginSettings {
  /** Broker list used for every mapping instead of the events' own; required for `msk` events. */
  bootstrapServers?: string | string[];
  /** Partitions of one mapping invoked at the same time (a mapping with provisionedPollerConfig uses its maximumPollers instead). */
  partitionConcurrency?: number;
  /** Local backoff between retries (AWS does not document its timing). */
  retry?: Partial<Pick<RetryPolicy, 'initialBackoffMs' | 'maxBackoffMs' | 'backoffMultiplier'>>;
  sessionTimeoutMs?: number;
  /** How long stopping waits for running invocations before leaving them uncommitted (they are delivered again). */
  shutdownTimeoutMs?: number;
  /** The local broker's own access, for every mapping instead of the events' (`{}`: plaintext). */
  accessConfigurations?: AccessConfigurations;
  /** The JSON file with the secrets that access configurations name (default `.serverless-offline-kafka/secrets.json`). */
  secretsFile?: string;
  /** How long `sls offline start` waits for the broker and the group coordinator before it gives up. */
  startTimeoutMs?: number;
}

/** Plugin-wide settings that AWS has per event source mapping: using one names the per-event key instead. */
const MOVED_SETTINGS: Record<string, string> = {
  defaultOnFailureDestination: 'onFailureDestination (kafka://<topic>, s3://<bucket> or an ARN)',
  'retry.maximumRetryAttempts': 'maximumRetryAttempts',
  'retry.bisectBatchOnFunctionError': 'bisectBatchOnFunctionError',
  'retry.maximumRecordAgeInSeconds': 'maximumRecordAgeInSeconds',
};

export interface ServiceDescription {
  service: string;
  stage: string;
  /** provider.timeout: the functions' default timeout in seconds (osls: 6). */
  timeout?: number;
  functions: Record<string, { timeout?: number; events?: ReadonlyArray<Record<string, unknown>> }>;
}

/** The fields of a `kafka` / `msk` event: osls's own plus the ones this plugin adds to its schema (schema.ts). */
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
  functionResponseTypes?: string[];
  maximumRetryAttempts?: number;
  maximumRecordAgeInSeconds?: number;
  bisectBatchOnFunctionError?: boolean;
  provisionedPollerConfig?: { minimumPollers?: number; maximumPollers?: number };
  onFailureDestination?: string;
}

/** An on-failure destination that exists only in AWS (SQS queue, SNS topic): deployed as declared, not emulated. */
export interface CloudOnlyDestination {
  type: 'cloud';
  arn: string;
}

/** One `kafka` / `msk` event, checked against AWS's limits; omitted AWS settings stay undefined. */
export interface EventSettings {
  kind: 'kafka' | 'msk';
  functionKey: string;
  /** `functions.<f>.events[<i>].<kind>`: names the event in messages. */
  where: string;
  event: KafkaLikeEvent;
  topic: string;
  enabled: boolean;
  batchSize: number;
  /** Declared whole seconds; undefined = omitted, which Lambda runs as 500 ms. */
  maximumBatchingWindowSeconds?: number;
  startingPosition: StartingPosition;
  filterPatterns: FilterPattern[];
  reportBatchItemFailures: boolean;
  errorHandling: Partial<ErrorHandling>;
  provisionedPollers?: ProvisionedPollers;
  onFailureDestination?: OnFailureDestination | CloudOnlyDestination;
}

export class KafkaConfigError extends Error {
  override name = 'KafkaConfigError';
}

const DEFAULT_BATCH_SIZE = 100;
/** Lambda's default for Kafka event sources when MaximumBatchingWindowInSeconds is not set. */
const DEFAULT_BATCHING_WINDOW_MS = 500;
/** AWS's default quota of filters per event source mapping (it can be raised to 10, osls's limit). */
const DEFAULT_FILTER_QUOTA = 5;
/** Kafka and MSK event source mappings only invoke functions whose timeout is at most 14 minutes (with-kafka-configure). */
const MAX_FUNCTION_TIMEOUT_S = 14 * 60;
/** osls's default function timeout. */
const OSLS_DEFAULT_TIMEOUT_S = 6;
/** ProvisionedPollerConfig for Kafka (API_ProvisionedPollerConfig): minimum 1..200 (default 1), maximum 1..2000 (default 200). */
const POLLERS = { minimum: { min: 1, max: 200, default: 1 }, maximum: { min: 1, max: 2000, default: 200 } };

const asList = (servers: string | string[]): string[] =>
  (Array.isArray(servers) ? servers : servers.split(',')).map((s) => s.trim()).filter(Boolean);
const isWholeNumberIn = (value: number, min: number, max: number) =>
  Number.isInteger(value) && value >= min && value <= max;

function startingPosition(event: KafkaLikeEvent, where: string): StartingPosition {
  const type = event.startingPosition ?? 'TRIM_HORIZON';
  if (type !== 'AT_TIMESTAMP') return { type };
  if (typeof event.startingPositionTimestamp !== 'number')
    throw new KafkaConfigError(
      `${where}: startingPosition AT_TIMESTAMP needs startingPositionTimestamp (Unix time in seconds).`,
    );
  return { type, timestampMs: event.startingPositionTimestamp * 1000 };
}

/** AWS's limits (CreateEventSourceMapping, "Configuring error handling controls for Kafka event sources"), as retry.ts checks them. */
function errorHandling(event: KafkaLikeEvent, where: string): Partial<ErrorHandling> {
  const { maximumRetryAttempts, maximumRecordAgeInSeconds, bisectBatchOnFunctionError } = event;
  const problems = errorHandlingProblems({ maximumRetryAttempts, maximumRecordAgeInSeconds });
  if (problems.length > 0) throw new KafkaConfigError(`${where}: ${problems.join('; ')}.`);
  return {
    ...(maximumRetryAttempts !== undefined ? { maximumRetryAttempts } : {}),
    ...(maximumRecordAgeInSeconds !== undefined ? { maximumRecordAgeInSeconds } : {}),
    ...(bisectBatchOnFunctionError !== undefined ? { bisectBatchOnFunctionError } : {}),
  };
}

function provisionedPollers(event: KafkaLikeEvent, where: string): ProvisionedPollers | undefined {
  const config = event.provisionedPollerConfig;
  if (!config) return undefined;
  const minimumPollers = config.minimumPollers ?? POLLERS.minimum.default;
  const maximumPollers = config.maximumPollers ?? POLLERS.maximum.default;
  if (!isWholeNumberIn(minimumPollers, POLLERS.minimum.min, POLLERS.minimum.max))
    throw new KafkaConfigError(
      `${where}.provisionedPollerConfig: minimumPollers ${minimumPollers} must be an integer from 1 to 200.`,
    );
  if (!isWholeNumberIn(maximumPollers, POLLERS.maximum.min, POLLERS.maximum.max))
    throw new KafkaConfigError(
      `${where}.provisionedPollerConfig: maximumPollers ${maximumPollers} must be an integer from 1 to 2000.`,
    );
  if (minimumPollers > maximumPollers)
    throw new KafkaConfigError(
      `${where}.provisionedPollerConfig: minimumPollers ${minimumPollers} is above maximumPollers ${maximumPollers}.`,
    );
  return { minimumPollers, maximumPollers };
}

const S3_BUCKET_ARN = /^arn:aws[a-z-]*:s3:::([^/]+)$/;
const CLOUD_ONLY_ARN = /^arn:aws[a-z-]*:(sqs|sns):/;

/** `kafka://<topic>`, `s3://<bucket>`, an S3 bucket ARN, or an SQS/SNS ARN (the forms AWS's DestinationConfig takes). */
function onFailureDestination(
  event: KafkaLikeEvent,
  where: string,
  topic: string,
): EventSettings['onFailureDestination'] {
  const destination = event.onFailureDestination;
  if (destination === undefined) return undefined;
  const kafkaTopic = /^kafka:\/\/(.+)$/.exec(destination)?.[1];
  if (kafkaTopic === topic)
    throw new KafkaConfigError(
      `${where}: onFailureDestination kafka://${topic} is the source topic; AWS refuses a destination equal to the source (records would loop). Use another topic, e.g. kafka://${topic}.dlq.`,
    );
  if (kafkaTopic) return { type: 'kafka', topic: kafkaTopic };
  const bucket = /^s3:\/\/([^/]+)\/?$/.exec(destination)?.[1] ?? S3_BUCKET_ARN.exec(destination)?.[1];
  if (bucket) return { type: 's3', bucket };
  if (CLOUD_ONLY_ARN.test(destination)) return { type: 'cloud', arn: destination };
  throw new KafkaConfigError(
    `${where}: onFailureDestination "${destination}" must be kafka://<topic>, s3://<bucket>, an S3 bucket ARN, or an SQS queue or SNS topic ARN.`,
  );
}

function functionResponseTypes(event: KafkaLikeEvent, where: string): boolean {
  const types = event.functionResponseTypes ?? [];
  const unknown = types.filter((type) => type !== 'ReportBatchItemFailures');
  if (unknown.length > 0)
    throw new KafkaConfigError(
      `${where}: functionResponseTypes ${JSON.stringify(unknown)} unknown; the only type is ReportBatchItemFailures.`,
    );
  return types.length > 0;
}

/** Checks one event against AWS's limits and applies its defaults. */
function readEvent(kind: 'kafka' | 'msk', event: KafkaLikeEvent, functionKey: string, where: string): EventSettings {
  if (!event.topic) throw new KafkaConfigError(`${where}: topic is required.`);
  const batchSize = event.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!isWholeNumberIn(batchSize, 1, 10_000))
    throw new KafkaConfigError(`${where}: batchSize ${batchSize} must be an integer from 1 to 10000.`);
  const window = event.maximumBatchingWindow;
  // Lambda takes whole seconds (CloudFormation rejects 0.5); only the default, when omitted, is 500 ms.
  if (window !== undefined && !isWholeNumberIn(window, 0, 300)) {
    throw new KafkaConfigError(
      `${where}: maximumBatchingWindow ${window} must be whole seconds from 0 to 300, as Lambda accepts; omit it for Lambda's 500 ms default.`,
    );
  }
  const filterPatterns = event.filterPatterns ?? [];
  try {
    // All at once, as the worker compiles them: more than 10 is refused here (more than 5 is a parity warning).
    compileFilter(filterPatterns);
  } catch (error) {
    throw new KafkaConfigError(`${where}.filterPatterns: ${(error as Error).message}`);
  }
  return {
    kind,
    functionKey,
    where,
    event,
    topic: event.topic,
    enabled: event.enabled !== false,
    batchSize,
    ...(window !== undefined ? { maximumBatchingWindowSeconds: window } : {}),
    startingPosition: startingPosition(event, where),
    filterPatterns,
    reportBatchItemFailures: functionResponseTypes(event, where),
    errorHandling: errorHandling(event, where),
    ...optional('provisionedPollers', provisionedPollers(event, where)),
    ...optional('onFailureDestination', onFailureDestination(event, where, event.topic)),
  };
}

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  value === undefined ? {} : ({ [key]: value } as Record<K, V>);

/** Every `kafka` and `msk` event of the service, enabled or not, checked against AWS's limits. */
export function readEvents(functions: ServiceDescription['functions']): EventSettings[] {
  return Object.entries(functions).flatMap(([functionKey, definition]) =>
    (definition.events ?? []).flatMap((wrapper, index) => {
      const kind = 'kafka' in wrapper ? 'kafka' : 'msk' in wrapper ? 'msk' : undefined;
      return kind
        ? [
            readEvent(
              kind,
              wrapper[kind] as KafkaLikeEvent,
              functionKey,
              `functions.${functionKey}.events[${index}].${kind}`,
            ),
          ]
        : [];
    }),
  );
}

export interface ReadResult {
  mappings: MappingSettings[];
  /** One line each: what will behave differently once deployed, or what is not emulated. */
  warnings: string[];
}

function checkPluginSettings(settings: PluginSettings): void {
  const used = [...Object.keys(settings), ...Object.keys(settings.retry ?? {}).map((key) => `retry.${key}`)];
  for (const key of used.filter((k) => k in MOVED_SETTINGS)) {
    throw new KafkaConfigError(
      `custom.serverless-offline-kafka.${key} is no longer a plugin setting: AWS sets it per event source mapping. Set ${MOVED_SETTINGS[key]} on each kafka/msk event instead.`,
    );
  }
}

export function readMappings(
  service: ServiceDescription,
  settings: PluginSettings = {},
  secrets: SecretSource = fileSecrets(secretsFilePath(settings.secretsFile)),
): ReadResult {
  checkPluginSettings(settings);
  const overrideServers = settings.bootstrapServers === undefined ? undefined : asList(settings.bootstrapServers);
  const usedGroups = new Set<string>();
  const mappings: MappingSettings[] = [];
  const warnings: string[] = [];

  for (const settingsOfEvent of readEvents(service.functions).filter((e) => e.enabled)) {
    const { kind, functionKey, where, event, topic } = settingsOfEvent;
    const bootstrapServers = overrideServers ?? (kind === 'kafka' ? asList(event.bootstrapServers ?? []) : []);
    if (bootstrapServers.length === 0) {
      throw new KafkaConfigError(
        `${where}: no bootstrap servers to reach locally; set custom.serverless-offline-kafka.bootstrapServers (e.g. localhost:29092)${kind === 'msk' ? ' — an msk event names a cluster ARN, not brokers' : ''}.`,
      );
    }
    const defaultGroupId = `${service.service}-${service.stage}-${functionKey}-${topic}`;
    let consumerGroupId = event.consumerGroupId ?? defaultGroupId;
    // Two mappings of one function on one topic are distinct event source mappings with their own groups.
    for (let n = 2; !event.consumerGroupId && usedGroups.has(consumerGroupId); n += 1)
      consumerGroupId = `${defaultGroupId}-${n}`;
    usedGroups.add(consumerGroupId);

    const {
      onFailureDestination: destination,
      provisionedPollers: pollers,
      errorHandling: controls,
      reportBatchItemFailures,
    } = settingsOfEvent;
    mappings.push({
      functionKey,
      source:
        kind === 'kafka'
          ? { eventSource: 'SelfManagedKafka' }
          : { eventSource: 'aws:kafka', eventSourceArn: mskArn(event.arn, service, functionKey) },
      bootstrapServers,
      topic,
      batchSize: settingsOfEvent.batchSize,
      maximumBatchingWindowMs:
        settingsOfEvent.maximumBatchingWindowSeconds === undefined
          ? DEFAULT_BATCHING_WINDOW_MS
          : settingsOfEvent.maximumBatchingWindowSeconds * 1000,
      startingPosition: settingsOfEvent.startingPosition,
      consumerGroupId,
      filterPatterns: settingsOfEvent.filterPatterns,
      ...(reportBatchItemFailures ? { reportBatchItemFailures } : {}),
      ...(Object.keys(controls).length > 0 ? { errorHandling: controls } : {}),
      ...optional('provisionedPollers', pollers),
      ...optional('onFailureDestination', destination?.type === 'cloud' ? undefined : destination),
      ...mappingAccess(kind, event as Record<string, unknown>, where, {
        override: settings.accessConfigurations,
        secrets,
        warn: (line) => warnings.push(line),
      }),
    });
    warnings.push(...parityWarnings(settingsOfEvent, functionTimeout(service, functionKey)));
  }
  return { mappings, warnings };
}

const functionTimeout = (service: ServiceDescription, functionKey: string) =>
  service.functions[functionKey]?.timeout ?? service.timeout ?? OSLS_DEFAULT_TIMEOUT_S;

/** What behaves differently once deployed, or is not emulated (pure data; the plugin prints one line each). */
function parityWarnings(settings: EventSettings, timeoutSeconds: number): string[] {
  const {
    where,
    event,
    onFailureDestination: destination,
    provisionedPollers: pollers,
    errorHandling: controls,
    reportBatchItemFailures,
  } = settings;
  const warnings: string[] = [];
  if (destination?.type === 'cloud') {
    warnings.push(
      `${where}: onFailureDestination ${destination.arn} is not emulated (only kafka:// and S3 destinations are); locally the mapping runs as if it had no destination.`,
    );
  }
  // The console only offers the error handling controls in provisioned mode, and AWS's Kafka destination examples all set it.
  const needProvisioned = [
    ...Object.keys(controls),
    ...(reportBatchItemFailures ? ['functionResponseTypes'] : []),
    ...(destination?.type === 'kafka' ? ['a kafka:// onFailureDestination'] : []),
  ];
  if (needProvisioned.length > 0 && !pollers) {
    warnings.push(
      `${where}: AWS applies ${needProvisioned.join(', ')} only to event source mappings in provisioned mode; add provisionedPollerConfig (e.g. { minimumPollers: 1, maximumPollers: 3 }) or the deployed mapping will not behave as it does here.`,
    );
  }
  if (settings.filterPatterns.length > DEFAULT_FILTER_QUOTA) {
    warnings.push(
      `${where}: ${settings.filterPatterns.length} filterPatterns; AWS allows ${DEFAULT_FILTER_QUOTA} per event source mapping unless the account's quota was raised (up to 10).`,
    );
  }
  if (timeoutSeconds > MAX_FUNCTION_TIMEOUT_S) {
    warnings.push(
      `${where}: the function's timeout ${timeoutSeconds} s is above the 14 minutes (840 s) Kafka event source mappings allow; AWS will not invoke it from this mapping.`,
    );
  }
  if (settings.kind === 'msk' && typeof event.arn !== 'string') {
    warnings.push(
      `${where}: the cluster ARN ${JSON.stringify(event.arn)} is a CloudFormation reference with no value locally; events carry a placeholder eventSourceArn (arn:aws:kafka:local:…).`,
    );
  }
  return warnings;
}

/** A CloudFormation reference (Ref, Fn::ImportValue) has no value offline; the event then carries a local placeholder ARN. */
function mskArn(arn: unknown, service: ServiceDescription, functionKey: string): string {
  return typeof arn === 'string'
    ? arn
    : `arn:aws:kafka:local:000000000000:cluster/${service.service}-${service.stage}/${functionKey}`;
}
