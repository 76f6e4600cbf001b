/**
 * The Python the anchors run on: a virtualenv of pinned packages under the project's cache, made on first use.
 * Benchmark-only (the prototype's stack, to compare against), never a part of the product.
 */
import { join } from 'node:path';
import { ensurePipEnv } from '../../scripts/pip-tool';

const CONSUMER_REQUIREMENTS = ['confluent-kafka==2.16.1', 'pyarrow==26.0.1', 'minio==7.2.20'];

/** The python3 of the consumer anchor's virtualenv (confluent-kafka, pyarrow, minio). */
export async function consumerAnchorPython(): Promise<string> {
  const venv = await ensurePipEnv('bench-consumer-anchor', CONSUMER_REQUIREMENTS);
  return join(venv, 'bin', 'python3');
}
