import { COLUMN_IDS, type ColumnId } from '@air-quality/preprocessing';
import { z } from 'zod';

/**
 * A sensor reading on the `air_quality_data` topic (key = stationId). Readings are in physical
 * units (not normalised); `quality` says which values were imputed or clipped upstream.
 */
export const READING_SCHEMA_VERSION = 1;

const measureId = z.enum(COLUMN_IDS as [ColumnId, ...ColumnId[]], {
  error: (issue) => `unknown measure ${JSON.stringify(issue.input)}; known: ${COLUMN_IDS.join(', ')}`,
});
const STATION_ID = /^[A-Za-z0-9_.-]{1,64}$/;
const isoInstant = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time with a zone, e.g. 2004-03-10T18:00:00Z',
});

export const readingSchema = z.strictObject({
  schemaVersion: z.literal(READING_SCHEMA_VERSION, { error: `schemaVersion must be ${READING_SCHEMA_VERSION}` }),
  eventId: z.uuid({ error: 'eventId must be a UUID' }),
  stationId: z.string().regex(STATION_ID, { error: 'stationId must be 1-64 characters of letters, digits, _ . -' }),
  sequence: z.number().int().nonnegative({ error: 'sequence must be a non-negative integer' }),
  observedAt: isoInstant,
  sourceTime: isoInstant,
  readings: z
    .partialRecord(measureId, z.number().finite({ error: 'readings must be finite numbers or null' }).nullable())
    .refine((r) => Object.values(r).some((v) => v !== null), { error: 'readings must hold at least one value' }),
  quality: z.strictObject({ imputed: z.array(measureId), clipped: z.array(measureId) }),
});

export type Reading = z.output<typeof readingSchema>;

const KEYS = new Set(Object.keys(readingSchema.shape));
const MEASURES = new Set<unknown>(COLUMN_IDS);
/** The pattern zod checks a string format with, so both checks agree. */
function patternOf(schema: z.ZodStringFormat): RegExp {
  const { pattern } = schema.def;
  if (!pattern) throw new Error(`zod gave the ${schema.def.format} format no pattern`);
  return pattern;
}
const UUID = patternOf(readingSchema.shape.eventId);
const ISO_INSTANT = patternOf(isoInstant);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
const isInstant = (value: unknown) => typeof value === 'string' && ISO_INSTANT.test(value);
const isMeasureList = (value: unknown) => Array.isArray(value) && value.every((id) => MEASURES.has(id));

function isReadings(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  let someValue = false;
  for (const id in value) {
    const reading = value[id];
    if (!MEASURES.has(id) || (reading !== null && !Number.isFinite(reading))) return false;
    someValue ||= reading !== null;
  }
  return someValue;
}

/**
 * True for a reading `readingSchema` accepts as it is (its output equals the input): the common case checked
 * without zod's machinery around every field, which was most of the time the sink spent per record. It accepts only
 * what the schema accepts; anything else goes to the schema, which says what is wrong
 * (tests/unit/shared/reading-schema.test.ts compares the two on mutated readings).
 */
export function isPlainReading(value: unknown): value is Reading {
  if (!isPlainObject(value)) return false;
  const { schemaVersion, eventId, stationId, sequence, observedAt, sourceTime, readings, quality } = value;
  return (
    Object.keys(value).length === KEYS.size &&
    Object.keys(value).every((key) => KEYS.has(key)) &&
    schemaVersion === READING_SCHEMA_VERSION &&
    typeof eventId === 'string' &&
    UUID.test(eventId) &&
    typeof stationId === 'string' &&
    STATION_ID.test(stationId) &&
    Number.isSafeInteger(sequence) &&
    (sequence as number) >= 0 &&
    isInstant(observedAt) &&
    isInstant(sourceTime) &&
    isReadings(readings) &&
    isPlainObject(quality) &&
    Object.keys(quality).length === 2 &&
    isMeasureList(quality.imputed) &&
    isMeasureList(quality.clipped)
  );
}
