import { z } from 'zod';
import { requestOrScheduledEvent } from '../../shared/scheduled-event';
import { allowed, strictRequest } from '../../shared/validation';

export const LIMITS = {
  count: { min: 1, max: 100_000 },
  stations: { min: 1, max: 100 },
  rate: { min: 0.1, max: 50_000 },
  batchSize: { min: 1, max: 10_000 },
} as const;

const intBetween = (field: keyof typeof LIMITS, description: string) => {
  const { min, max } = LIMITS[field];
  const error = allowed(`${description} must be an integer from ${min} to ${max}`);
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

const rateError = allowed(`rate (messages per second) must be a number from ${LIMITS.rate.min} to ${LIMITS.rate.max}`);

/** What a person or a schedule asks `simulate` for. Unknown fields are rejected so typos are not silently ignored. */
export const simulateRequestSchema = strictRequest({
  count: intBetween('count', 'count (readings per station)').default(10),
  mode: z
    .enum(['sample', 'replay'], {
      error: allowed('mode must be "sample" (seeded random rows stamped now) or "replay" (the dataset in time order)'),
    })
    .default('sample'),
  stations: intBetween('stations', 'stations (virtual stations)').default(1),
  rate: z
    .number({ error: rateError })
    .min(LIMITS.rate.min, { error: rateError })
    .max(LIMITS.rate.max, { error: rateError })
    .optional(),
  batchSize: intBetween('batchSize', 'batchSize (messages per micro-batch)').default(500),
  seed: z
    .number({ error: allowed('seed must be an integer') })
    .int({ error: allowed('seed must be an integer') })
    .optional(),
  dryRun: z.boolean({ error: allowed('dryRun must be true or false') }).default(false),
  qc: z.boolean({ error: allowed('qc must be true or false') }).default(false),
});

export type SimulateRequest = z.output<typeof simulateRequestSchema>;

/** A bare EventBridge schedule tick (no `input`) replays an hour's worth of readings. */
export const simulateEventSchema = requestOrScheduledEvent(simulateRequestSchema, { mode: 'replay', count: 60 });
