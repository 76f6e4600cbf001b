import { z } from 'zod';

/** A bare EventBridge schedule tick: what a `schedule` event without `input` delivers to the handler. */
const isScheduledEvent = (event: unknown): boolean =>
  typeof event === 'object' &&
  event !== null &&
  (event as Record<string, unknown>).source === 'aws.events' &&
  (event as Record<string, unknown>)['detail-type'] === 'Scheduled Event';

/** A handler's event schema that also accepts a bare schedule tick, read as the request `tick`; no event at all reads as `{}`. */
export const requestOrScheduledEvent = <S extends z.ZodType>(schema: S, tick: z.input<S>) =>
  z.preprocess((event) => (isScheduledEvent(event) ? tick : (event ?? {})), schema);
