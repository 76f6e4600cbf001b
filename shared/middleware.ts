import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { describeIssues } from './validation';

/** One logger, metrics and tracer per container, as Powertools intends. */
export const logger = new Logger();
export const metrics = new Metrics();
const tracer = new Tracer();

/** The event failed validation; the message lists every field with what is allowed. */
export class InvalidPayloadError extends Error {
  override name = 'InvalidPayloadError';
}

export function parsePayload<S extends z.ZodType>(schema: S, event: unknown): z.output<S> {
  const result = schema.safeParse(event);
  if (result.success) return result.data;
  throw new InvalidPayloadError(`Invalid payload: ${describeIssues(result.error, 'payload')}`);
}

/**
 * Wraps domain code as a Lambda handler: validates the event against `schema`, then runs `handle`
 * with structured logging, EMF metrics (cold start included) and tracing around it.
 */
export function lambdaHandler<S extends z.ZodType, R>(
  schema: S,
  handle: (input: z.output<S>, context: Context) => Promise<R>,
) {
  return middy(async (event: unknown, context: Context) => handle(parsePayload(schema, event), context))
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
