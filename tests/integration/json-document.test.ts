import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { loadConfig } from '../../shared/config';
import { JsonDocument } from '../../shared/json-document';
import { PreconditionFailedError, S3ObjectStore } from '../../shared/object-store';
import { createS3Client } from '../../shared/s3';

const config = loadConfig();
const client = createS3Client(config.s3);
const store = new S3ObjectStore(config.s3, client);
const prefix = `tests/json-document/${randomUUID()}/`;

after(async () => store.delete(await store.list(prefix)));

class LostError extends Error {}
class InvalidError extends Error {}

const counterAt = (name: string) =>
  new JsonDocument(store, `${prefix}${name}.json`, {
    schema: z.object({ count: z.number().int() }),
    invalid: (problem, location) => new InvalidError(`${location}: ${problem}`),
    lost: (cause) => new LostError('lost', { cause }),
  });

const isLost = (error: unknown) => {
  assert.ok(error instanceof LostError, String(error));
  assert.ok(error.cause instanceof PreconditionFailedError);
  return true;
};

describe('JsonDocument against the real MinIO', () => {
  it('an absent document reads as no value; it is created at that version and reads back without the write id', async () => {
    const counter = counterAt('create');
    const absent = await counter.read();
    assert.deepEqual({ ...absent }, { value: undefined });
    const written = await counter.write(absent, { count: 1 });
    const read = await counter.read();
    assert.deepEqual(read, { value: { count: 1 }, etag: written.etag });
    assert.ok(written.etag);
  });

  it('replaces the version it read; writing the same value again still gives a new version', async () => {
    const counter = counterAt('replace');
    const first = await counter.write(await counter.read(), { count: 1 });
    const second = await counter.write(first, { count: 1 });
    assert.notEqual(second.etag, first.etag);
    assert.deepEqual(await counter.read(), { value: { count: 1 }, etag: second.etag });
  });

  it('loses to a writer that replaced the document since it was read (412), and leaves that write in place', async () => {
    const counter = counterAt('concurrent');
    const read = await counter.write(await counter.read(), { count: 1 });
    const other = await counter.write(read, { count: 2 });
    await assert.rejects(counter.write(read, { count: 3 }), isLost);
    assert.deepEqual(await counter.read(), { value: { count: 2 }, etag: other.etag });
  });

  it('loses to a writer that created the document since it was read as absent', async () => {
    const counter = counterAt('created-meanwhile');
    const absent = await counter.read();
    await counter.write(absent, { count: 1 });
    await assert.rejects(counter.write(absent, { count: 2 }), isLost);
    assert.equal((await counter.read()).value?.count, 1);
  });

  it('loses when the document was deleted since it was read (If-Match answered 404), and does not recreate it', async () => {
    const counter = counterAt('deleted');
    const read = await counter.write(await counter.read(), { count: 1 });
    await store.delete([counter.key]);
    // The store's own answer, to show which path this is: MinIO (like S3) says 404, not 412.
    const raw = await client
      .send(new PutObjectCommand({ Bucket: store.bucket, Key: counter.key, Body: '{}', IfMatch: read.etag }))
      .then(
        () => 200,
        (error) => error.$metadata?.httpStatusCode,
      );
    assert.equal(raw, 404);
    await assert.rejects(counter.write(read, { count: 2 }), isLost);
    assert.deepEqual(await counter.read(), { value: undefined });
  });

  it('a damaged document is refused with the rules error, naming the object and the problem', async () => {
    const cases: [string, RegExp][] = [
      ['{"count": "many"}', /count: .*number/],
      ['{"count', /not JSON/],
    ];
    for (const [body, problem] of cases) {
      const counter = counterAt(`damaged-${randomUUID()}`);
      await store.put(counter.key, body);
      await assert.rejects(counter.read(), (error: Error) => {
        assert.ok(error instanceof InvalidError, String(error));
        assert.match(error.message, problem);
        assert.ok(error.message.startsWith(`s3://${store.bucket}/${counter.key}: `), error.message);
        return true;
      });
    }
  });
});
