import { KafkaMskEventSchema, KafkaSelfManagedEventSchema } from '@aws-lambda-powertools/parser/schemas';
import { z } from 'zod';

/** A dry run by invoke: load and check the promoted model, consume nothing. */
const dryRunSchema = z.strictObject({ dryRun: z.literal(true, { error: 'dryRun must be true (a Kafka event runs the model instead)' }) });

/** What `infer` accepts: Lambda's Kafka event (self-managed or MSK, values base64-decoded by the schema) or a dry run. */
export const inferEventSchema = z.union([KafkaSelfManagedEventSchema, KafkaMskEventSchema, dryRunSchema], {
  error: 'expected a Kafka event (eventSource SelfManagedKafka or aws:kafka, with records) or {"dryRun": true}',
});

type InferEvent = z.output<typeof inferEventSchema>;
export type KafkaEvent = Exclude<InferEvent, { dryRun: true }>;
export type KafkaRecord = KafkaEvent['records'][string][number];
