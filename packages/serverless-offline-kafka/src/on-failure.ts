/**
 * What Lambda writes to a Kafka mapping's on-failure destination (pure).
 * - Kafka topic: one message per record, keyed by the record's key, in the format of "Using a Kafka topic as an
 *   on-failure destination" (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html,
 *   "Record format for a Kafka destination"): `KafkaBatchInfo.recordInfo` and the one-record event as `payload`.
 * - S3 bucket: one object per discarded batch, in the format of "Capturing discarded batches for Amazon MSK and
 *   self-managed Apache Kafka event sources" (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html,
 *   "S3 destination example invocation record"): `KafkaBatchInfo.recordsInfo` per `<topic>-<partition>` and the
 *   whole event as a JSON string in `payload`.
 */
import { createHash } from 'node:crypto';
import {
  buildEvent,
  jsonBytes,
  recordsKey,
  type EventSource,
  type LambdaKafkaEvent,
  type LambdaKafkaRecord,
} from './event';

/** Why records left the mapping without succeeding. */
export type DiscardReason = 'retries' | 'age' | 'payload';

/**
 * The two pages name the retry condition differently (Kafka topic: `RetriesExhausted`; S3, SQS, SNS:
 * `RetryAttemptsExhausted`); each destination follows its own page. Neither names the record-age condition:
 * `RecordAgeExceeded` is the one Lambda's stream event sources use.
 */
const CONDITIONS: Record<'kafka' | 's3', Record<DiscardReason, string>> = {
  kafka: { retries: 'RetriesExhausted', age: 'RecordAgeExceeded', payload: 'MaximumPayloadSizeExceeded' },
  s3: { retries: 'RetryAttemptsExhausted', age: 'RecordAgeExceeded', payload: 'MaximumPayloadSizeExceeded' },
};

/** How the last invocation ended; `null` when the records were never invoked (too large, or too old). */
export type ResponseContext = { statusCode: number; executedVersion: string; functionError?: 'Unhandled' } | null;

/** Records of one partition that leave the mapping together, and what happened to them. */
export interface Discard {
  functionArn: string;
  source: EventSource;
  bootstrapServers: readonly string[];
  reason: DiscardReason;
  /** Invocations of these records so far (0 when never invoked). */
  approximateInvokeCount: number;
  response: ResponseContext;
  /** One partition, ascending offsets. */
  records: readonly LambdaKafkaRecord[];
}

/** Per message or object: a fresh request id, and when it was written. */
export interface Stamp {
  requestId: string;
  now: Date;
}

/** A handler that returned a partial batch response had no function error; a thrown one is `Unhandled`. */
export const invokedResponse = (functionError: boolean): ResponseContext => ({
  statusCode: 200,
  executedVersion: '$LATEST',
  ...(functionError ? { functionError: 'Unhandled' as const } : {}),
});

/** Locally there is no account or region; like the placeholder MSK ARN, the function ARN says so. */
export const localFunctionArn = (functionKey: string): string =>
  `arn:aws:lambda:local:000000000000:function:${functionKey}:$LATEST`;

function envelope(discard: Discard, destination: 'kafka' | 's3', stamp: Stamp) {
  return {
    requestContext: {
      requestId: stamp.requestId,
      functionArn: discard.functionArn,
      condition: CONDITIONS[destination][discard.reason],
      approximateInvokeCount: discard.approximateInvokeCount,
    },
    responseContext: discard.response,
    version: '1.0',
    timestamp: stamp.now.toISOString(),
  };
}

/** Self-managed Kafka has no event source ARN; MSK's is the cluster's. */
const sourceArn = (source: EventSource) =>
  source.eventSource === 'aws:kafka' ? { eventSourceArn: source.eventSourceArn } : {};

export interface KafkaDestinationMessage {
  /** The record's own key (null: the producer spreads them round-robin, as Lambda does). */
  key: Buffer | null;
  value: string;
}

/** One message per discarded record, carrying the record as a one-record Lambda event. */
export function kafkaDestinationMessages(discard: Discard, stamp: (index: number) => Stamp): KafkaDestinationMessage[] {
  return discard.records.map((record, index) => {
    const payload = buildEvent(discard.source, discard.bootstrapServers, [record]);
    const value = {
      ...envelope(discard, 'kafka', stamp(index)),
      KafkaBatchInfo: {
        batchSize: 1,
        ...sourceArn(discard.source),
        bootstrapServers: payload.bootstrapServers,
        payloadSize: jsonBytes(payload),
        recordInfo: { offset: String(record.offset), timestamp: new Date(record.timestamp).toISOString() },
      },
      payload,
    };
    return { key: record.key === undefined ? null : Buffer.from(record.key, 'base64'), value: JSON.stringify(value) };
  });
}

/** One object per discarded batch; `payload` is the whole event as an escaped JSON string. */
export function s3DestinationObject(discard: Discard, stamp: Stamp): string {
  const event: LambdaKafkaEvent = buildEvent(discard.source, discard.bootstrapServers, discard.records);
  const first = discard.records[0]!;
  const last = discard.records.at(-1)!;
  const iso = (ms: number) => new Date(ms).toISOString();
  return JSON.stringify({
    ...envelope(discard, 's3', stamp),
    KafkaBatchInfo: {
      batchSize: discard.records.length,
      ...sourceArn(discard.source),
      bootstrapServers: event.bootstrapServers,
      payloadSize: jsonBytes(event),
      recordsInfo: {
        [recordsKey(first.topic, first.partition)]: {
          firstRecordOffset: String(first.offset),
          lastRecordOffset: String(last.offset),
          firstRecordTimestamp: iso(first.timestamp),
          lastRecordTimestamp: iso(last.timestamp),
        },
      },
    },
    payload: JSON.stringify(event),
  });
}

/**
 * The naming convention AWS documents for S3 on-failure objects,
 * `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>`
 * (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html; the Kafka page gives none):
 * the shard's place takes the Kafka partition's records key `<topic>-<partition>`.
 */
export function s3ObjectKey(
  mappingUuid: string,
  topic: string,
  partition: number,
  now: Date,
  randomUuid: string,
): string {
  const iso = now.toISOString();
  const [date, time] = [iso.slice(0, 10), iso.slice(11, 19)];
  return `aws/lambda/${mappingUuid}/${recordsKey(topic, partition)}/${date.replaceAll('-', '/')}/${date}T${time.replaceAll(':', '.')}-${randomUuid}`;
}

/** A stable stand-in for the event source mapping's UUID: the same mapping gets the same one on every start. */
export function localMappingUuid(consumerGroupId: string, functionKey: string, topic: string): string {
  const hex = createHash('sha256').update(`${consumerGroupId}\0${functionKey}\0${topic}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
