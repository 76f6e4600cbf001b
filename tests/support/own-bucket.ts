import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { DeleteBucketCommand } from '@aws-sdk/client-s3';
import type { PipelineConfig } from '../../shared/config';
import { S3ObjectStore } from '../../shared/object-store';
import { createS3Client } from '../../shared/s3';
import { ensureBucket } from '../../stack/provision';

/**
 * The config with a bucket of the enclosing suite's own, created before its tests and emptied and deleted after them:
 * for runs that move state the pipeline keeps at a fixed key, such as the simulator's cursor (state/simulate.json).
 */
export function suiteBucket(config: PipelineConfig): PipelineConfig {
  const own = { ...config, s3: { ...config.s3, bucket: `test-${randomUUID().slice(0, 8)}` } };
  before(() => ensureBucket(own));
  after(async () => {
    const store = new S3ObjectStore(own.s3);
    await store.delete(await store.list(''));
    await createS3Client(own.s3).send(new DeleteBucketCommand({ Bucket: own.s3.bucket }));
  });
  return own;
}
