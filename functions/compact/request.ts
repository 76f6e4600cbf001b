import { z } from 'zod';
import { requestOrScheduledEvent } from '../../shared/scheduled-event';
import { allowed, strictRequest } from '../../shared/validation';

/** What a person or the schedule asks `compact` for. Unknown fields are rejected so typos are not silently ignored. */
const compactRequestSchema = strictRequest({
  topic: z
    .string({ error: allowed('topic must be a Kafka topic name (letters, digits, ".", "_", "-")') })
    .regex(/^[A-Za-z0-9._-]{1,249}$/, {
      error: allowed('topic must be a Kafka topic name (letters, digits, ".", "_", "-")'),
    })
    .optional(),
  before: z.iso
    .datetime({ offset: true, error: allowed('before must be an ISO-8601 date-time such as "2026-11-24T00:00:00Z"') })
    .optional(),
});

/** A bare schedule tick compacts every closed day of the readings topic. */
export const compactEventSchema = requestOrScheduledEvent(compactRequestSchema, {});
