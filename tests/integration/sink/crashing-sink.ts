/**
 * Runs the sink behind the event source emulator and kills its own process with SIGKILL at a chosen point,
 * as a crashed Lambda container would die (args: topic groupId deadLetterTopic point), where point is
 *   files:N      right after the N-th data file is written (other writes may be in flight),
 *   watermark:N  right before the N-th watermark write is sent (all files of that batch are durable).
 */
import { MappingWorker } from 'serverless-offline-kafka';
import { kafkaEventSchema } from '../../../functions/sink/event';
import { sink } from '../../../functions/sink/sink';
import { parsePayload } from '../../../shared/middleware';
import { S3ObjectStore, type ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { config, kafka } from './support';

const [topic = '', consumerGroupId = '', deadLetterTopic = '', point = ''] = process.argv.slice(2);
const [kind, n] = point.split(':');
let countdown = Number(n);
const die = () => process.kill(process.pid, 'SIGKILL');

const real = new S3ObjectStore(config.s3);
const store: ObjectStore = {
  bucket: real.bucket,
  get: (key) => real.get(key),
  head: (key) => real.head(key),
  list: (prefix) => real.list(prefix),
  delete: (keys) => real.delete(keys),
  put: async (key, body, options) => {
    const watermark = key.includes('/_watermarks/');
    if (kind === 'watermark' && watermark && --countdown === 0) die();
    const out = await real.put(key, body, options);
    if (kind === 'files' && !watermark && --countdown === 0) die();
    return out;
  },
};
const producer = new KafkaMessageProducer(kafka, config.kafka.brokers);

const worker = new MappingWorker({
  mapping: {
    functionKey: 'sink',
    source: { eventSource: 'SelfManagedKafka' },
    bootstrapServers: config.kafka.brokers,
    topic,
    batchSize: 40,
    maximumBatchingWindowMs: 100,
    startingPosition: { type: 'TRIM_HORIZON' },
    consumerGroupId,
    filterPatterns: [],
  },
  sessionTimeoutMs: 6000,
  retry: { maximumRetryAttempts: -1, initialBackoffMs: 100, maxBackoffMs: 500 },
  onInvocation: () => undefined,
  handler: (event) => sink(parsePayload(kafkaEventSchema, event), { store, deadLetters: producer, deadLetterTopic, now: () => performance.now() }),
});
void worker.start();
