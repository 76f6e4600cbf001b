import { COLUMNS, type ColumnId, type ColumnKind, type Range } from '@air-quality/preprocessing';
import { readRecord, type KafkaRecord, type PlacedRecord } from './kafka-event';
import { InvalidPayloadError, parsePayload } from './middleware';
import { isPlainReading, readingSchema, type Reading } from './schemas/reading';

/** Why a Kafka record is not a reading; `record`: its own fields are malformed (not as Lambda sends them). */
export type RejectionKind = 'record' | 'tombstone' | 'base64' | 'utf8' | 'json' | 'schema' | 'key' | 'impossible';

export type Decoded = { ok: true; reading: Reading } | { ok: false; kind: RejectionKind; reason: string };

/**
 * Bounds no true reading can cross, in the column's unit. Wider than the plausibility clipping ranges of
 * the catalogue: a value outside them is a broken sensor or producer, not weather.
 */
const limitsByKind: Record<ColumnKind, Range> = { reference: { min: 0 }, sensor: { min: 0 }, meteo: {} };
const limitsById: Partial<Record<ColumnId, Range>> = {
  t: { min: -90, max: 60 },
  rh: { min: 0, max: 100 },
  ah: { min: 0 },
};
const PHYSICAL_LIMITS = Object.fromEntries(
  COLUMNS.map((c) => [c.id, limitsById[c.id] ?? limitsByKind[c.kind]]),
) as Record<ColumnId, Range>;
const UNITS = Object.fromEntries(COLUMNS.map((c) => [c.id, c.unit])) as Record<ColumnId, string>;

/** Strict base64 (Buffer.from silently skips bad characters, which would hide corruption). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The text a base64 value encodes, or which decoding step failed. */
export function base64Text(value: string): { text: string } | 'base64' | 'utf8' {
  const bytes = Buffer.from(value, 'base64');
  // Canonical base64 (what Lambda sends) encodes back to itself, which is cheaper than the pattern.
  if (bytes.toString('base64') !== value && !BASE64.test(value)) return 'base64';
  try {
    return { text: utf8.decode(bytes) };
  } catch {
    return 'utf8';
  }
}

const reject = (kind: RejectionKind, reason: string): Decoded => ({ ok: false, kind, reason });

/** Problems with values that cannot be physical, one message per value; empty when all are possible. */
export function impossibleValues(reading: Reading): string[] {
  const problems: string[] = [];
  for (const id in reading.readings) {
    const value = reading.readings[id as ColumnId];
    const { min, max } = PHYSICAL_LIMITS[id as ColumnId];
    if (value === null || value === undefined) continue;
    if (min !== undefined && value < min)
      problems.push(`readings.${id} = ${value} is below the physical minimum ${min} ${UNITS[id as ColumnId]}`);
    else if (max !== undefined && value > max)
      problems.push(`readings.${id} = ${value} is above the physical maximum ${max} ${UNITS[id as ColumnId]}`);
  }
  return problems;
}

/** One Kafka record (base64 key and value, as Lambda delivers them) → a valid reading, or why it is not one. */
export function decodeRecord(record: Pick<KafkaRecord, 'key' | 'value'>): Decoded {
  if (record.value === undefined)
    return reject('tombstone', 'record has no value (a tombstone); a reading is a JSON object');
  const text = base64Text(record.value);
  if (text === 'base64')
    return reject('base64', 'value is not valid base64; the event source mapping always encodes values in base64');
  if (text === 'utf8') return reject('utf8', 'value is not UTF-8 text; readings are UTF-8 JSON');
  let json: unknown;
  try {
    json = JSON.parse(text.text);
  } catch (error) {
    return reject('json', `value is not JSON: ${(error as Error).message}`);
  }
  let reading: Reading;
  try {
    reading = isPlainReading(json) ? json : parsePayload(readingSchema, json);
  } catch (error) {
    if (error instanceof InvalidPayloadError) return reject('schema', error.message);
    throw error;
  }
  const key = record.key === undefined ? undefined : Buffer.from(record.key, 'base64').toString('utf8');
  if (key !== reading.stationId) {
    return reject(
      'key',
      `record key ${JSON.stringify(key ?? null)} differs from stationId "${reading.stationId}"; producers must key readings by station so each station stays in one partition`,
    );
  }
  const impossible = impossibleValues(reading);
  if (impossible.length > 0) return reject('impossible', impossible.join('; '));
  return { ok: true, reading };
}

/** A record of the event → its reading, or why it is none; either way with the record as far as it is usable. */
export type ReadReading =
  | { ok: true; record: KafkaRecord; reading: Reading }
  | { ok: false; record: KafkaRecord; kind: RejectionKind; reason: string };

/** The one check of a delivered record shared by the functions that read readings (sink, infer). */
export function readReading(raw: PlacedRecord): ReadReading {
  const read = readRecord(raw);
  if (!read.ok) return { ok: false, record: read.salvaged, kind: 'record', reason: read.reason };
  const decoded = decodeRecord(read.record);
  return decoded.ok
    ? { ok: true, record: read.record, reading: decoded.reading }
    : { ok: false, record: read.record, kind: decoded.kind, reason: decoded.reason };
}
