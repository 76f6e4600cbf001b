/**
 * The brokers of their own that the emulator package's tests start (a restartable one, a secured one), run as this
 * repo's stack runs its broker. scripts/test.ts names this module in SERVERLESS_OFFLINE_KAFKA_TEST_BROKERS; the contract
 * is packages/serverless-offline-kafka/tests/support/own-broker.ts.
 */
import { freshBroker } from './fresh-kafka';

export { startSecuredBroker } from './secured-kafka';

export async function plaintextBroker(name: string) {
  const broker = await freshBroker(name);
  return {
    brokers: broker.brokers,
    start: broker.start,
    stop: async () => void (await broker.process.stop(10_000)),
    remove: broker.remove,
  };
}
