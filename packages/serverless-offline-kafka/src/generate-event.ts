/**
 * `serverless-offline-kafka generate-event` (pure part): a Lambda-exact Kafka or MSK event from record descriptions,
 * for `sls invoke local --path`. It uses event.ts's builders, the code that builds the emulator's events.
 */
import { MAX_PAYLOAD_BYTES } from './batch';
import {
  buildEvent,
  jsonBytes,
  lambdaRecord,
  recordsKey,
  type EventSource,
  type LambdaKafkaEvent,
  type RecordBytes,
  type TimestampType,
} from './event';

/** Bad input: the message names the record or option, what is allowed and how to fix it. */
export class GenerateEventError extends Error {
  override name = 'GenerateEventError';
}

export interface EventOptions {
  source: 'self-managed' | 'msk';
  bootstrapServers: string;
  /** The MSK cluster's ARN, required with source msk. */
  arn?: string;
  /** The topic of records that name none. */
  topic?: string;
  /** Epoch milliseconds for records without a timestamp. */
  now: number;
}

const TIMESTAMP_TYPES: readonly TimestampType[] = ['CREATE_TIME', 'LOG_APPEND_TIME'];
const RECORD_FIELDS = ['topic', 'partition', 'offset', 'key', 'value', 'headers', 'timestamp', 'timestampType'];
const HOST_PORT = /^[^\s:,]+:\d{1,5}$/;
const MSK_ARN = /^arn:[\w-]+:kafka:[\w-]+:\d{12}:cluster\/.+/;

/** Records as a JSON array, one JSON object, or JSON Lines (one record per line). */
export function parseRecordsText(text: string, from: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '')
    throw new GenerateEventError(`${from} is empty; give a JSON array of records or one record per line (JSON Lines).`);
  try {
    const whole: unknown = JSON.parse(trimmed);
    return Array.isArray(whole) ? whole : [whole];
  } catch {
    return trimmed.split('\n').flatMap((line, i) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line) as unknown];
      } catch (error) {
        throw new GenerateEventError(
          `${from} line ${i + 1} is not JSON (${(error as Error).message}); give a JSON array of records or one JSON record per line.`,
        );
      }
    });
  }
}

function eventSource(options: EventOptions): EventSource {
  if (options.source === 'self-managed') {
    if (options.arn !== undefined)
      throw new GenerateEventError('--arn names an MSK cluster: use it with --source msk.');
    return { eventSource: 'SelfManagedKafka' };
  }
  if (options.source !== 'msk')
    throw new GenerateEventError(`--source must be self-managed or msk, got ${JSON.stringify(options.source)}.`);
  if (options.arn === undefined || !MSK_ARN.test(options.arn)) {
    throw new GenerateEventError(
      `--source msk needs --arn <cluster ARN> (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)${options.arn === undefined ? '' : `, got ${JSON.stringify(options.arn)}`}.`,
    );
  }
  return { eventSource: 'aws:kafka', eventSourceArn: options.arn };
}

function bootstrapServersOf(list: string): string[] {
  const servers = list.split(',').map((s) => s.trim());
  const bad = servers.find((s) => !HOST_PORT.test(s));
  if (bad !== undefined)
    throw new GenerateEventError(`--bootstrap-servers must be host:port[,host:port...], got ${JSON.stringify(bad)}.`);
  return servers;
}

/** Reads one record description; `next` holds each topic-partition's next offset (records of a partition are in offset order). */
function recordBytes(spec: unknown, where: string, options: EventOptions, next: Map<string, number>): RecordBytes {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec))
    throw new GenerateEventError(`${where} must be a JSON object with ${RECORD_FIELDS.join(', ')}.`);
  const fields = spec as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((k) => !RECORD_FIELDS.includes(k));
  if (unknown.length > 0)
    throw new GenerateEventError(
      `${where} has unknown field(s) ${unknown.join(', ')}; allowed: ${RECORD_FIELDS.join(', ')}.`,
    );
  const fail = (field: string, rule: string): never => {
    throw new GenerateEventError(`${where}: ${field} ${rule}, got ${JSON.stringify(fields[field])}.`);
  };
  const wholeNumber = (field: string, value: unknown): number =>
    Number.isSafeInteger(value) && (value as number) >= 0
      ? (value as number)
      : fail(field, 'must be a whole number >= 0');

  const topic = fields.topic ?? options.topic;
  if (typeof topic !== 'string' || topic === '')
    fail('topic', options.topic === undefined ? 'must be a topic name (or give --topic)' : 'must be a topic name');
  const partition = fields.partition === undefined ? 0 : wholeNumber('partition', fields.partition);
  const id = recordsKey(topic as string, partition);
  const expected = next.get(id) ?? 0;
  const offset = fields.offset === undefined ? expected : wholeNumber('offset', fields.offset);
  if (offset < expected)
    fail(
      'offset',
      `must be after the previous record of ${id} (at least ${expected}): a partition's records are in offset order`,
    );
  next.set(id, offset + 1);

  if (fields.key !== undefined && fields.key !== null && typeof fields.key !== 'string')
    fail('key', 'must be text, or null (absent) for no key');
  const value = fields.value;
  const headers = fields.headers ?? [];
  if (
    !Array.isArray(headers) ||
    !headers.every(
      (h) =>
        h !== null &&
        typeof h === 'object' &&
        !Array.isArray(h) &&
        Object.values(h).every((v) => typeof v === 'string'),
    )
  ) {
    fail('headers', 'must be a list of {"name": "text value"} objects, in record order (a name may repeat)');
  }
  const timestamp =
    fields.timestamp === undefined
      ? options.now
      : typeof fields.timestamp === 'string'
        ? Date.parse(fields.timestamp)
        : fields.timestamp;
  if (!Number.isSafeInteger(timestamp) || (timestamp as number) < 0)
    fail('timestamp', 'must be epoch milliseconds or an ISO-8601 date-time');
  const timestampType = fields.timestampType ?? 'CREATE_TIME';
  if (!TIMESTAMP_TYPES.includes(timestampType as TimestampType))
    fail('timestampType', `must be ${TIMESTAMP_TYPES.join(' or ')}`);

  return {
    topic: topic as string,
    partition,
    offset,
    timestamp: timestamp as number,
    timestampType: timestampType as TimestampType,
    key: typeof fields.key === 'string' ? Buffer.from(fields.key) : null,
    // Text as is, any other JSON value serialized; null or absent is a tombstone.
    value:
      value === undefined || value === null
        ? null
        : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: (headers as Record<string, string>[]).flatMap((header) =>
      Object.entries(header).map(([name, text]) => [name, Buffer.from(text)] as const),
    ),
  };
}

export function generateEvent(specs: readonly unknown[], options: EventOptions): LambdaKafkaEvent {
  const source = eventSource(options);
  const servers = bootstrapServersOf(options.bootstrapServers);
  if (specs.length === 0) throw new GenerateEventError('no records given; Lambda never invokes with an empty batch.');
  const next = new Map<string, number>();
  const records = specs.map((spec, i) => lambdaRecord(recordBytes(spec, `record ${i + 1}`, options, next)));
  const event = buildEvent(source, servers, records);
  const bytes = jsonBytes(event);
  if (bytes > MAX_PAYLOAD_BYTES)
    throw new GenerateEventError(
      `the event is ${bytes} bytes; Lambda invokes with at most ${MAX_PAYLOAD_BYTES} (6 MB): give fewer or smaller records.`,
    );
  return event;
}
