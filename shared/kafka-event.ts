import { z } from 'zod';
import { describeIssues } from './validation';

/**
 * Header values are Java `byte[]` serialized as numbers, so signed: Lambda sends UTF-8 "ë" as [-61, -85]
 * (aws-lambda-go's events/testdata/kafka-event.json has [118, -36, 0, 127, -128]).
 */
const notJavaByte = {
  error: (issue: { input?: unknown }) =>
    `header bytes are Java bytes, -128..127, as Lambda sends them (write a byte b > 127 as b - 256), got ${JSON.stringify(issue.input)}`,
};
const javaByte = z.number(notJavaByte).int(notJavaByte).min(-128, notJavaByte).max(127, notJavaByte);

/** One record as Lambda sends it: key and value base64 (absent when null), headers one single-name map each. */
export const kafkaRecordSchema = z.object({
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  timestamp: z.number(),
  timestampType: z.enum(['CREATE_TIME', 'LOG_APPEND_TIME']).optional(),
  key: z.string().optional(),
  value: z.string().optional(),
  headers: z.array(z.record(z.string(), z.array(javaByte))).default([]),
});

/**
 * Lambda's Kafka event (self-managed Kafka or MSK), as the event source mapping delivers it.
 *
 * The envelope is checked strictly only for what places a record (topic, partition, offset); the rest is checked
 * record by record (`readRecord`). One malformed record is then rejected on its own instead of failing the event:
 * a failed Kafka batch is retried (by default until it succeeds) and at best parked whole on the mapping's on-failure
 * destination, so it would block its partition or take its valid neighbours with it.
 *
 * `placedRecord`: what places a record; its other fields pass through unchecked, for `readRecord`.
 */
const placedRecord = kafkaRecordSchema.pick({ topic: true, partition: true, offset: true }).loose();

export const kafkaEventSchema = z.object({
  eventSource: z.enum(['SelfManagedKafka', 'aws:kafka'], {
    error: 'eventSource must be SelfManagedKafka or aws:kafka (a Kafka event source mapping)',
  }),
  records: z.record(z.string(), z.array(placedRecord)),
});

export type KafkaEvent = z.output<typeof kafkaEventSchema>;
export type KafkaRecord = z.output<typeof kafkaRecordSchema>;
/** A record of the event before its own fields are checked. */
export type PlacedRecord = Pick<KafkaRecord, 'topic' | 'partition' | 'offset'> & {
  [field in Exclude<keyof KafkaRecord, 'topic' | 'partition' | 'offset'>]?: unknown;
};

/** The bytes a header value stands for (Java bytes are signed: −61 is 0xC3). */
export const headerBytes = (javaBytes: readonly number[]): Buffer =>
  Buffer.from(Uint8Array.from(javaBytes, (b) => b & 0xff));

/** `<topic>-<partition>@<offset>`: which record a message is about. */
export const recordPosition = ({
  topic,
  partition,
  offset,
}: Pick<KafkaRecord, 'topic' | 'partition' | 'offset'>): string => `${topic}-${partition}@${offset}`;

/** A checked record, or why it is malformed together with what of it is usable (position, string key and value). */
export type ReadRecord = { ok: true; record: KafkaRecord } | { ok: false; reason: string; salvaged: KafkaRecord };

const isNaturalNumber = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isJavaByte = (value: unknown): boolean =>
  Number.isSafeInteger(value) && (value as number) >= -128 && (value as number) <= 127;
const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
const isHeader = (header: unknown): boolean =>
  isPlainObject(header) && Object.values(header).every((bytes) => Array.isArray(bytes) && bytes.every(isJavaByte));
const OPTIONAL_FIELDS = ['timestampType', 'key', 'value'] as const;

/**
 * What `kafkaRecordSchema` outputs for a plainly well-formed record (every record Lambda sends), else undefined:
 * the common case without zod's checks of each header byte, which were most of the time spent reading a record.
 * It accepts only records the schema accepts, with the same output; any other is left to the schema, which says
 * what is wrong (tests/unit/shared/kafka-event.test.ts compares the two on mutated records).
 */
export function wellFormedRecord(raw: PlacedRecord): KafkaRecord | undefined {
  const { topic, partition, offset, timestamp, timestampType, key, value, headers = [] } = raw;
  if (typeof topic !== 'string' || topic.length === 0 || !isNaturalNumber(partition) || !isNaturalNumber(offset))
    return undefined;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return undefined;
  if (OPTIONAL_FIELDS.some((field) => field in raw && raw[field] === undefined)) return undefined;
  if (timestampType !== undefined && timestampType !== 'CREATE_TIME' && timestampType !== 'LOG_APPEND_TIME')
    return undefined;
  if ((key !== undefined && typeof key !== 'string') || (value !== undefined && typeof value !== 'string'))
    return undefined;
  if (!Array.isArray(headers) || !headers.every(isHeader)) return undefined;
  const record: KafkaRecord = { topic, partition, offset, timestamp, headers };
  if (timestampType !== undefined) record.timestampType = timestampType;
  if (key !== undefined) record.key = key;
  if (value !== undefined) record.value = value;
  return record;
}

export function readRecord(raw: PlacedRecord): ReadRecord {
  const wellFormed = wellFormedRecord(raw);
  if (wellFormed) return { ok: true, record: wellFormed };
  const parsed = kafkaRecordSchema.safeParse(raw);
  if (parsed.success) return { ok: true, record: parsed.data };
  const text = (field: unknown) => (typeof field === 'string' ? field : undefined);
  const { topic, partition, offset } = raw;
  return {
    ok: false,
    reason: `malformed record: ${describeIssues(parsed.error, 'record')}`,
    salvaged: {
      topic,
      partition,
      offset,
      timestamp: typeof raw.timestamp === 'number' ? raw.timestamp : 0,
      key: text(raw.key),
      value: text(raw.value),
      headers: [],
    },
  };
}

/** The records of each topic-partition of the event, each list in offset order (grouped by the records' own fields, not the keys). */
export function partitionsOf(event: KafkaEvent): PlacedRecord[][] {
  const groups = new Map<string, PlacedRecord[]>();
  for (const record of Object.values(event.records).flat()) {
    const id = JSON.stringify([record.topic, record.partition]);
    const group = groups.get(id);
    if (group) group.push(record);
    else groups.set(id, [record]);
  }
  return [...groups.values()].map((records) => records.sort((a, b) => a.offset - b.offset));
}
