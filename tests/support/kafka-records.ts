/** Test data for the sink: valid readings and Lambda-shaped Kafka records carrying them. */
import { randomUUID } from 'node:crypto';
import { HOUR_MS as HOUR } from '@air-quality/preprocessing';
import type { KafkaRecord } from '../../shared/kafka-event';
import { READING_SCHEMA_VERSION, type Reading } from '../../shared/schemas/reading';

/** One hour in ms: the preprocessing layer's HOUR_MS. */
export { HOUR };
export const T0 = Date.UTC(2026, 10, 24, 10);

export function reading(
  stationId: string,
  sequence: number,
  observedAtMs: number,
  overrides: Partial<Reading> = {},
): Reading {
  return {
    schemaVersion: READING_SCHEMA_VERSION,
    eventId: randomUUID(),
    stationId,
    sequence,
    observedAt: new Date(observedAtMs).toISOString(),
    sourceTime: new Date(Date.UTC(2004, 2, 10, 18) + sequence * HOUR).toISOString(),
    readings: {
      co_gt: 2.6,
      pt08_s1_co: 1360,
      c6h6_gt: 11.9,
      nox_gt: 166,
      no2_gt: 113,
      t: 13.6,
      rh: 48.9,
      ah: 0.7578,
      nmhc_gt: null,
    },
    quality: { imputed: ['nmhc_gt'], clipped: ['c6h6_gt'] },
    ...overrides,
  };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** A record as the event source mapping delivers it; `value` is JSON-encoded unless it is a string already. */
export function record(
  offset: number,
  value: Reading | string | undefined,
  options: { topic?: string; partition?: number; key?: string } = {},
): KafkaRecord {
  const key = options.key ?? (typeof value === 'object' ? value.stationId : undefined);
  return {
    topic: options.topic ?? 'readings',
    partition: options.partition ?? 0,
    offset,
    timestamp: T0,
    ...(key === undefined ? {} : { key: b64(key) }),
    ...(value === undefined ? {} : { value: typeof value === 'string' ? value : b64(JSON.stringify(value)) }),
    headers: [],
  };
}
