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
const isoInstant = z.iso.datetime({
  offset: true,
  error: 'must be an ISO-8601 date-time with a zone, e.g. 2004-03-10T18:00:00Z',
});

export const readingSchema = z.strictObject({
  schemaVersion: z.literal(READING_SCHEMA_VERSION, { error: `schemaVersion must be ${READING_SCHEMA_VERSION}` }),
  eventId: z.uuid({ error: 'eventId must be a UUID' }),
  stationId: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, { error: 'stationId must be 1-64 characters of letters, digits, _ . -' }),
  sequence: z.number().int().nonnegative({ error: 'sequence must be a non-negative integer' }),
  observedAt: isoInstant,
  sourceTime: isoInstant,
  readings: z
    .partialRecord(measureId, z.number().finite({ error: 'readings must be finite numbers or null' }).nullable())
    .refine((r) => Object.values(r).some((v) => v !== null), { error: 'readings must hold at least one value' }),
  quality: z.strictObject({ imputed: z.array(measureId), clipped: z.array(measureId) }),
});

export type Reading = z.output<typeof readingSchema>;
