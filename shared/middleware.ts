import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { describeIssues } from './validation';

/** One logger and metrics per container, as Powertools intends. */
export const logger = new Logger();
export const metrics = new Metrics();

/**
 * X-Ray tracing around the handler where the Tracer would trace: in Lambda (AWS_EXECUTION_ENV) unless
 * POWERTOOLS_TRACE_ENABLED is false (the stage's `tracing` param). Elsewhere the Tracer is a no-op, so it is not
 * loaded: the X-Ray SDK costs every cold start about 100 ms and its async hooks tax every promise.
 */
function tracing(env = process.env) {
  if (!env.AWS_EXECUTION_ENV || env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() === 'false') return undefined;
  const { Tracer } = require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer');
  const { captureLambdaHandler } =
    require('@aws-lambda-powertools/tracer/middleware') as typeof import('@aws-lambda-powertools/tracer/middleware');
  return captureLambdaHandler(new Tracer());
}

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
 * with structured logging, EMF metrics (cold start included) and, in Lambda, tracing around it.
 */
export function lambdaHandler<S extends z.ZodType, R>(
  schema: S,
  handle: (input: z.output<S>, context: Context) => Promise<R>,
) {
  const tracer = tracing();
  return middy(async (event: unknown, context: Context) => handle(parsePayload(schema, event), context))
    .use(tracer ? [tracer] : [])
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
