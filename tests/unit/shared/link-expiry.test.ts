import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  checkLinkSeconds,
  LinkExpiryError,
  linkExpirySchema,
  MAX_LINK_SECONDS,
  parseLinkExpiry,
} from '../../../shared/link-expiry';

describe('link expiry', () => {
  it('reads seconds, minutes, hours, days and plain seconds', () => {
    assert.deepEqual(
      ['1s', '90s', '15m', '24h', ' 7d ', '3600', '2 h'].map(parseLinkExpiry),
      [1, 90, 900, 86400, 604800, 3600, 7200],
    );
  });

  it('allows 1 s to 7 days, the SigV4 maximum, and no more', () => {
    assert.equal(MAX_LINK_SECONDS, 604800);
    assert.equal(checkLinkSeconds(604800), 604800);
    for (const text of ['0s', '0', '8d', '168h1', '604801', '169h'])
      assert.throws(() => parseLinkExpiry(text), LinkExpiryError, text);
    for (const seconds of [0, -5, 1.5, 604801, Number.NaN])
      assert.throws(() => checkLinkSeconds(seconds), /from 1s to 7d \(the SigV4 maximum\)/);
  });

  it('names what is allowed and what was given', () => {
    assert.throws(
      () => parseLinkExpiry('1w'),
      /^LinkExpiryError: A link's expiry must be a duration from 1s to 7d \(the SigV4 maximum\), e\.g\. 30m, 24h, 7d, or whole seconds; got "1w"\.$/,
    );
  });

  it('parses a request field to seconds and rejects a bad one with the same message', () => {
    const request = z.strictObject({ expiresIn: linkExpirySchema });
    assert.deepEqual(request.parse({ expiresIn: '24h' }), { expiresIn: 86400 });
    assert.deepEqual(request.parse({ expiresIn: 60 }), { expiresIn: 60 });
    const result = request.safeParse({ expiresIn: '8d' });
    assert.equal(result.success, false);
    assert.deepEqual(
      result.error!.issues.map((i) => [i.path, i.message]),
      [
        [
          ['expiresIn'],
          `A link's expiry must be a duration from 1s to 7d (the SigV4 maximum), e.g. 30m, 24h, 7d, or whole seconds; got "8d".`,
        ],
      ],
    );
  });
});
