/**
 * The event Lambda's Kafka event source mapping delivers, built from kafkajs messages (the emulator) or from
 * plain record descriptions (`generate-event`): one code path for both.
 * Shape: https://docs.aws.amazon.com/lambda/latest/dg/with-kafka.html (self-managed) and with-msk.html (MSK);
 * field types as in aws-lambda-java-libs' KafkaEvent (Lambda's poller is Java) and aws-lambda-go's events/kafka.go.
 */
import type { KafkaMessage } from 'kafkajs';

export type TimestampType = 'CREATE_TIME' | 'LOG_APPEND_TIME';

/** A header value as Lambda serializes a Java `byte[]`: signed bytes, −128..127. */
export type JavaBytes = number[];

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
  /** One single-name object per header, in record order (a name may repeat). */
  headers: Array<Record<string, JavaBytes>>;
}

/** Which kind of mapping delivers the event: self-managed Kafka, or MSK with its cluster ARN. */
export type EventSource = { eventSource: 'SelfManagedKafka' } | { eventSource: 'aws:kafka'; eventSourceArn: string };

export type LambdaKafkaEvent = EventSource & {
  bootstrapServers: string;
  records: Record<string, LambdaKafkaRecord[]>;
};

/** A Kafka record as bytes, before Lambda's encoding: what a broker holds, or what `generate-event` is given. */
export interface RecordBytes {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: TimestampType;
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyArray<readonly [name: string, value: Buffer]>;
}

/**
 * Java bytes are signed: Lambda writes 0xC3 as −61 (aws-lambda-go's kafka-event.json has [118,-36,0,127,-128];
 * AWS changed the Go, .NET and Rust event types for it). A reader that expects 0..255 breaks on non-ASCII headers.
 */
function javaBytes(bytes: Uint8Array): JavaBytes {
  // A plain loop: spreading an Int8Array view costs several times more per header.
  const signed: JavaBytes = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) signed[i] = bytes[i]! > 127 ? bytes[i]! - 256 : bytes[i]!;
  return signed;
}

export function lambdaRecord(record: RecordBytes): LambdaKafkaRecord {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    timestampType: record.timestampType,
    ...(record.key ? { key: record.key.toString('base64') } : {}),
    ...(record.value ? { value: record.value.toString('base64') } : {}),
    headers: record.headers.map(([name, value]) => ({ [name]: javaBytes(value) })),
  };
}

const LOG_APPEND_TIME = 1;

/** kafkajs keeps the record batch's timestamp type only in the (untyped) batch context it attaches to each message. */
function timestampTypeOf(message: KafkaMessage): TimestampType {
  const context = (message as { batchContext?: { timestampType?: number } }).batchContext;
  return context?.timestampType === LOG_APPEND_TIME ? 'LOG_APPEND_TIME' : 'CREATE_TIME';
}

/**
 * kafkajs folds a message's headers into one object, repeated names into arrays: the order of one name's values
 * survives, the interleaving of different names does not (a, b, a arrives as a, a, b).
 */
function headersOf(headers: KafkaMessage['headers']): RecordBytes['headers'] {
  return Object.entries(headers ?? {}).flatMap(([name, value]) =>
    value === undefined
      ? []
      : (Array.isArray(value) ? value : [value]).map(
          (one) => [name, typeof one === 'string' ? Buffer.from(one) : one] as const,
        ),
  );
}

export function toLambdaRecord(topic: string, partition: number, message: KafkaMessage): LambdaKafkaRecord {
  return lambdaRecord({
    topic,
    partition,
    offset: Number(message.offset),
    timestamp: Number(message.timestamp),
    timestampType: timestampTypeOf(message),
    key: message.key ?? null,
    value: message.value,
    headers: headersOf(message.headers),
  });
}

export const recordsKey = (topic: string, partition: number): string => `${topic}-${partition}`;

export function buildEvent(
  source: EventSource,
  bootstrapServers: readonly string[],
  records: readonly LambdaKafkaRecord[],
): LambdaKafkaEvent {
  const grouped: Record<string, LambdaKafkaRecord[]> = {};
  for (const record of records) {
    const key = recordsKey(record.topic, record.partition);
    grouped[key] ??= [];
    grouped[key].push(record);
  }
  return { ...source, bootstrapServers: bootstrapServers.join(','), records: grouped };
}

export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));

/** Bytes of `"name":value` for a name that needs no escaping. */
const fieldBytes = (name: string, valueBytes: number): number => name.length + 3 + valueBytes;
const numberBytes = (value: number): number => (Number.isFinite(value) ? String(value).length : 'null'.length);

/** Bytes of the headers' JSON, `[{"name":[b,…]},…]`. */
function headersJsonBytes(headers: LambdaKafkaRecord['headers']): number {
  let bytes = 2 + Math.max(0, headers.length - 1);
  for (const header of headers)
    for (const name in header) {
      const values = header[name]!;
      bytes += 2 + jsonBytes(name) + 1 + 2 + Math.max(0, values.length - 1);
      for (const b of values) bytes += String(b).length;
    }
  return bytes;
}

/**
 * `jsonBytes(record)` without serializing the record: the lane sizes every record it buffers, and stringifying
 * each one cost as much as building it. Base64 needs no escaping; the topic and header names are measured as JSON.
 */
export function recordJsonBytes(record: LambdaKafkaRecord): number {
  const fields = [
    fieldBytes('topic', jsonBytes(record.topic)),
    fieldBytes('partition', numberBytes(record.partition)),
    fieldBytes('offset', numberBytes(record.offset)),
    fieldBytes('timestamp', numberBytes(record.timestamp)),
    fieldBytes('timestampType', record.timestampType.length + 2),
    fieldBytes('headers', headersJsonBytes(record.headers)),
  ];
  if (record.key !== undefined) fields.push(fieldBytes('key', record.key.length + 2));
  if (record.value !== undefined) fields.push(fieldBytes('value', record.value.length + 2));
  return 2 + fields.length - 1 + fields.reduce((sum, bytes) => sum + bytes, 0);
}

/** Bytes of the serialized event for one partition without its records; each record adds its own bytes plus a comma. */
export function eventOverheadBytes(
  source: EventSource,
  bootstrapServers: readonly string[],
  topic: string,
  partition: number,
): number {
  return jsonBytes({
    ...source,
    bootstrapServers: bootstrapServers.join(','),
    records: { [recordsKey(topic, partition)]: [] },
  });
}
