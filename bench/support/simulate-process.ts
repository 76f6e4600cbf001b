/**
 * The simulate handler in a process of its own, as it runs beside the sink in Lambda or under `sls offline`
 * (a worker per function): a benchmark that produces and consumes in one process measures them on one core.
 *   node --import tsx bench/support/simulate-process.ts '<request JSON>'   → the handler's result as JSON on stdout
 */
import type { Context } from 'aws-lambda';

const context = {
  awsRequestId: 'bench',
  functionName: 'simulate',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

async function main(): Promise<void> {
  const { handler } = await import('../../functions/simulate/handler');
  const result = await handler(JSON.parse(process.argv[2]), context);
  process.stdout.write(JSON.stringify(result));
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
