import { z } from 'zod';

/**
 * The Kafka event Lambda's event source mapping delivers (self-managed Kafka or MSK).
 *
 * Deliberately looser than Powertools' Kafka schema about record contents: `value` may be absent
 * (a tombstone) and is kept as the raw base64 text, so one bad record goes to the dead-letter topic
 * instead of failing the whole event, which would block its partition.
 */
const kafkaRecord = z.object({
  topic: z.string().min(1),
  partition: z.number().int().nonnegative(),
  offset: z.number().int().nonnegative(),
  timestamp: z.number(),
  key: z.string().optional(),
  value: z.string().optional(),
  headers: z.array(z.record(z.string(), z.array(z.number().int().min(0).max(255)))).default([]),
});

export const kafkaEventSchema = z.object({
  eventSource: z.enum(['SelfManagedKafka', 'aws:kafka'], { error: 'eventSource must be SelfManagedKafka or aws:kafka (a Kafka event source mapping)' }),
  records: z.record(z.string(), z.array(kafkaRecord)),
});

export type KafkaEvent = z.output<typeof kafkaEventSchema>;
export type KafkaRecord = z.output<typeof kafkaRecord>;

/** The records of each topic-partition of the event, each list in offset order (grouped by the records' own fields, not the keys). */
export function partitionsOf(event: KafkaEvent): KafkaRecord[][] {
  const groups = new Map<string, KafkaRecord[]>();
  for (const record of Object.values(event.records).flat()) {
    const id = JSON.stringify([record.topic, record.partition]);
    const group = groups.get(id);
    if (group) group.push(record);
    else groups.set(id, [record]);
  }
  return [...groups.values()].map((records) => records.sort((a, b) => a.offset - b.offset));
}
