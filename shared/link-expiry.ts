/** How long a presigned link lives: parsed from "30s", "15m", "24h", "7d" or plain seconds, within what SigV4 allows. */
import { z } from 'zod';

/** SigV4 presigned URLs live at most one week (S3 refuses a longer X-Amz-Expires). */
export const MAX_LINK_SECONDS = 7 * 24 * 3600;

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;
const ALLOWED = 'a duration from 1s to 7d (the SigV4 maximum), e.g. 30m, 24h, 7d, or whole seconds';

/** Thrown for an expiry that is not a duration or is outside 1 s … 7 days. */
export class LinkExpiryError extends RangeError {
  override name = 'LinkExpiryError';
}

/** Checks a link lifetime in seconds: a whole number from 1 to 604800. */
export function checkLinkSeconds(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_LINK_SECONDS) {
    throw new LinkExpiryError(`A link's expiry must be ${ALLOWED}; got ${seconds} s.`);
  }
  return seconds;
}

/** Seconds from "90s", "15m", "24h", "7d" or "3600" (seconds). */
export function parseLinkExpiry(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  if (!match) throw new LinkExpiryError(`A link's expiry must be ${ALLOWED}; got "${text}".`);
  const [, amount, unit] = match;
  const seconds = Number(amount) * UNIT_SECONDS[(unit || 's') as keyof typeof UNIT_SECONDS];
  if (seconds < 1 || seconds > MAX_LINK_SECONDS)
    throw new LinkExpiryError(`A link's expiry must be ${ALLOWED}; got "${text}".`);
  return seconds;
}

/** A request field holding a link expiry ("24h" or seconds), parsed to seconds with the same message. */
export const linkExpirySchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  try {
    return typeof value === 'number' ? checkLinkSeconds(value) : parseLinkExpiry(value);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message, input: value });
    return z.NEVER;
  }
});
