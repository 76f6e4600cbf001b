import { z } from 'zod';

/** One message for every way a field can be wrong: what is allowed, and what was given. */
export const allowed = (message: string) => (issue: { input?: unknown }) =>
  `${message}, got ${JSON.stringify(issue.input)}`;

/** A request object that rejects unknown fields by naming them and the fields it accepts. */
export const strictRequest = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field(s) ${issue.keys.join(', ')}; allowed: ${Object.keys(shape).join(', ')}`
        : undefined,
  });

/** A zod error's issues as one line, `path: message; ...`, naming `root` for an issue about the whole value. */
export const describeIssues = (error: z.ZodError, root: string): string =>
  error.issues.map((issue) => `${issue.path.map(String).join('.') || root}: ${issue.message}`).join('; ');

/** JSON text checked against a schema, or what is wrong with it: `syntax` (the problem starts "not JSON") or `shape` (the schema's issues). */
export type ParsedJsonText<T> = { ok: true; data: T } | { ok: false; kind: 'syntax' | 'shape'; problem: string };

/**
 * Parses `text` as JSON and validates it with `schema`. The problem never quotes the text (it may be a
 * secret): JSON.parse's own message can, so only the position of a syntax error is kept.
 */
export function parseJsonText<S extends z.ZodType>(
  schema: S,
  text: string,
  root = 'value',
): ParsedJsonText<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, kind: 'syntax', problem: `not JSON${syntaxErrorWhere(text, (error as Error).message)}` };
  }
  const parsed = schema.safeParse(json);
  return parsed.success
    ? { ok: true, data: parsed.data }
    : { ok: false, kind: 'shape', problem: describeIssues(parsed.error, root) };
}

function syntaxErrorWhere(text: string, message: string): string {
  if (text.trim() === '') return ' (empty)';
  if (/Unexpected end of JSON input/.test(message)) return ' (it ends early)';
  const position = /at position (\d+)/.exec(message)?.[1];
  return position === undefined ? '' : ` (syntax error at character ${position})`;
}
