import { z } from 'zod';

/** One message for every way a field can be wrong: what is allowed, and what was given. */
export const allowed = (message: string) => (issue: { input?: unknown }) => `${message}, got ${JSON.stringify(issue.input)}`;

/** A request object that rejects unknown fields by naming them and the fields it accepts. */
export const strictRequest = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.join(', ')}; allowed: ${Object.keys(shape).join(', ')}` : undefined),
  });
