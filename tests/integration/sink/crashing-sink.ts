/**
 * Runs the sink behind the event source emulator and kills its own process with SIGKILL at a chosen point,
 * as a crashed Lambda container would die (args: topic groupId deadLetterTopic point), where point is
 *   files:N      right after the N-th data file is written (other writes may be in flight),
 *   advance:N    right before the N-th write that moves a watermark past a batch (its files are durable), once the
 *                earlier ones have landed.
 */
import { type ObjectStore, S3ObjectStore } from '../../../shared/object-store';
import { KafkaMessageProducer } from '../../../shared/producer';
import { advancesWatermark, config, isWatermark, sinkWorker } from './support';
import { storeWithHooks } from '../../support/object-store';

const [topic = '', consumerGroupId = '', deadLetterTopic = '', point = ''] = process.argv.slice(2);
const [kind, n] = point.split(':');
let countdown = Number(n);
const die = () => process.kill(process.pid, 'SIGKILL');

const real = new S3ObjectStore(config.s3);
/** Watermark moves under way: the kill waits for them, so "committed before the kill" does not race the kill. */
const advancing = new Set<Promise<unknown>>();
const hooked = storeWithHooks(real, {
  afterPut: (key) => {
    if (kind === 'files' && !isWatermark(key) && --countdown === 0) die();
  },
});
const store: ObjectStore = {
  ...hooked,
  put: async (key, body, options) => {
    if (kind !== 'advance' || !(await advancesWatermark(real, key, body))) return hooked.put(key, body, options);
    if (--countdown === 0) {
      await Promise.allSettled(advancing);
      die();
    }
    const write = real.put(key, body, options);
    advancing.add(write);
    return write.finally(() => advancing.delete(write));
  },
};
const deadLetters = new KafkaMessageProducer(config.kafka, 'sink-test');
void sinkWorker({
  topic,
  consumerGroupId,
  batchSize: 40,
  ports: { store, deadLetters, deadLetterTopic, now: () => performance.now() },
}).start();
