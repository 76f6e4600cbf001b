/**
 * Runs the sink behind the event source emulator and kills its own process with SIGKILL at a chosen point,
 * as a crashed Lambda container would die (args: topic groupId deadLetterTopic point), where point is
 *   files:N      right after the N-th data file is written (other writes may be in flight),
 *   advance:N    right before the N-th write that moves a watermark past a batch (its files are durable).
 */
import { S3ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { advancesWatermark, config, isWatermark, sinkWorker } from './support';
import { storeWithHooks } from '../../support/object-store';

const [topic = '', consumerGroupId = '', deadLetterTopic = '', point = ''] = process.argv.slice(2);
const [kind, n] = point.split(':');
let countdown = Number(n);
const die = () => process.kill(process.pid, 'SIGKILL');

const real = new S3ObjectStore(config.s3);
const store = storeWithHooks(real, {
  beforePut: async (key, body) => {
    if (kind === 'advance' && (await advancesWatermark(real, key, body)) && --countdown === 0) die();
  },
  afterPut: (key) => {
    if (kind === 'files' && !isWatermark(key) && --countdown === 0) die();
  },
});
const deadLetters = new KafkaMessageProducer(config.kafka, 'sink-test');
void sinkWorker({
  topic,
  consumerGroupId,
  batchSize: 40,
  ports: { store, deadLetters, deadLetterTopic, now: () => performance.now() },
}).start();
