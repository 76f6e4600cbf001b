import { z } from 'zod';
import { kafkaEventSchema } from '../../shared/kafka-event';

/** A dry run by invoke: load and check the promoted model, consume nothing. */
const dryRunSchema = z.strictObject({
  dryRun: z.literal(true, { error: 'dryRun must be true (a Kafka event runs the model instead)' }),
});

/**
 * What `infer` accepts: Lambda's Kafka event (self-managed or MSK) or a dry run. The event's records are checked
 * one by one while scoring (a malformed one is skipped with its position), not here: Powertools' strict Kafka
 * schemas would fail the whole batch on a tombstone (value required) or a non-ASCII header (signed bytes).
 */
export const inferEventSchema = z.union([kafkaEventSchema, dryRunSchema], {
  error: 'expected a Kafka event (eventSource SelfManagedKafka or aws:kafka, with records) or {"dryRun": true}',
});
