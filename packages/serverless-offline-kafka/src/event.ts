/**
 * The event Lambda's Kafka event source mapping delivers, built from kafkajs messages.
 * Shape: https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html (self-managed) and with-msk.html (MSK).
 */
import type { KafkaMessage } from 'kafkajs';

export type TimestampType = 'CREATE_TIME' | 'LOG_APPEND_TIME';

export interface LambdaKafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: TimestampType;
  /** base64; absent when the record has no key. */
  key?: string;
  /** base64; absent for a tombstone (null value). */
  value?: string;
  /** One single-key object per header, in record order; the value as an array of byte values. */
  headers: Array<Record<string, number[]>>;
}

/** Which kind of mapping delivers the event: self-managed Kafka, or MSK with its cluster ARN. */
export type EventSource = { eventSource: 'SelfManagedKafka' } | { eventSource: 'aws:kafka'; eventSourceArn: string };

export type LambdaKafkaEvent = EventSource & {
  bootstrapServers: string;
  records: Record<string, LambdaKafkaRecord[]>;
};

const LOG_APPEND_TIME = 1;

/** kafkajs keeps the record batch's timestamp type only in the (untyped) batch context it attaches to each message. */
function timestampTypeOf(message: KafkaMessage): TimestampType {
  const context = (message as { batchContext?: { timestampType?: number } }).batchContext;
  return context?.timestampType === LOG_APPEND_TIME ? 'LOG_APPEND_TIME' : 'CREATE_TIME';
}

function bytesOf(value: Buffer | string): number[] {
  return [...(typeof value === 'string' ? Buffer.from(value) : value)];
}

/** kafkajs folds repeated header names into arrays; Lambda lists every header on its own. */
function lambdaHeaders(headers: KafkaMessage['headers']): LambdaKafkaRecord['headers'] {
  return Object.entries(headers ?? {}).flatMap(([name, value]) =>
    value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((one) => ({ [name]: bytesOf(one) })),
  );
}

export function toLambdaRecord(topic: string, partition: number, message: KafkaMessage): LambdaKafkaRecord {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: timestampTypeOf(message),
    ...(message.key ? { key: message.key.toString('base64') } : {}),
    ...(message.value ? { value: message.value.toString('base64') } : {}),
    headers: lambdaHeaders(message.headers),
  };
}

const recordsKey = (topic: string, partition: number): string => `${topic}-${partition}`;

export function buildEvent(source: EventSource, bootstrapServers: readonly string[], records: readonly LambdaKafkaRecord[]): LambdaKafkaEvent {
  const grouped: Record<string, LambdaKafkaRecord[]> = {};
  for (const record of records) (grouped[recordsKey(record.topic, record.partition)] ??= []).push(record);
  return { ...source, bootstrapServers: bootstrapServers.join(','), records: grouped };
}

export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** Bytes of the serialized event for one partition without its records; each record adds its own bytes plus a comma. */
export function eventOverheadBytes(source: EventSource, bootstrapServers: readonly string[], topic: string, partition: number): number {
  return jsonBytes({ ...source, bootstrapServers: bootstrapServers.join(','), records: { [recordsKey(topic, partition)]: [] } });
}
