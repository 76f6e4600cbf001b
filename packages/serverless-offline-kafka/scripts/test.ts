/**
 * The package's tests, run from its folder with nothing else of a host project: the unit tests always, the
 * integration tests too when a Kafka broker answers at KAFKA_BOOTSTRAP_SERVERS (default localhost:29092).
 *
 *   npm test -w serverless-offline-kafka              unit tests, and integration tests when a broker answers
 *   npm run test:unit -w serverless-offline-kafka     unit tests only
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { answers, brokers, unreachable } from '../tests/support/broker';

async function main(): Promise<number> {
  const unitOnly = process.argv.includes('--unit');
  const integration = !unitOnly && (await answers());
  if (!unitOnly && !integration) console.warn(`Unit tests only. ${unreachable(brokers, 'nothing listens there')}`);
  const patterns = ['tests/unit/**/*.test.ts', ...(integration ? ['tests/integration/**/*.test.ts'] : [])];
  // One file at a time: the integration tests share one broker, and some start brokers of their own.
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...patterns], {
    cwd: join(__dirname, '..'),
    stdio: 'inherit',
  });
  return run.status ?? 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
