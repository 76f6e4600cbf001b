import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { describeIssues, parseJsonText } from '../../../shared/validation';

const schema = z.object({ name: z.string(), nested: z.object({ count: z.number() }) });

describe('parseJsonText', () => {
  it('returns the data when the text is JSON of the schema', () => {
    assert.deepEqual(parseJsonText(schema, '{"name":"a","nested":{"count":1}}'), {
      ok: true,
      data: { name: 'a', nested: { count: 1 } },
    });
  });

  for (const [what, text] of [
    ['a bare word', 's3cret-value'],
    ['a truncated object', '{"password":"s3cret-value'],
    ['trailing text', '{"name":"s3cret-value"} s3cret-value'],
    ['nothing', ''],
  ]) {
    it(`says "not JSON" for ${what} and never quotes the text`, () => {
      const parsed = parseJsonText(schema, text);
      assert.equal(parsed.ok, false);
      if (parsed.ok) return;
      assert.equal(parsed.kind, 'syntax');
      assert.match(parsed.problem, /^not JSON/);
      assert.doesNotMatch(parsed.problem, /s3cret/);
    });
  }

  it('lists each schema issue by path, naming the root for the whole value', () => {
    assert.deepEqual(parseJsonText(schema, '{"nested":{"count":"x"}}'), {
      ok: false,
      kind: 'shape',
      problem:
        'name: Invalid input: expected string, received undefined; nested.count: Invalid input: expected number, received string',
    });
    const root = parseJsonText(schema, '[1]', 'document');
    assert.equal(!root.ok && root.problem, 'document: Invalid input: expected object, received array');
  });
});

describe('describeIssues', () => {
  it('joins the issues as path: message', () => {
    const result = z.object({ a: z.number() }).safeParse(5);
    assert.equal(result.success, false);
    if (!result.success)
      assert.equal(describeIssues(result.error, 'payload'), 'payload: Invalid input: expected object, received number');
  });
});
