/**
 * Produce throughput of `simulate` against the real broker: the real handler, in-process.
 *   npm run bench:produce [-- <readings per station> <stations> <batchSize>]
 * Prints the figures and writes bench/results/produce.json.
 */
import { saveResult } from './support/results';
import type { Context } from 'aws-lambda';
import { datasetPath } from '../tests/support/dataset';

async function main(): Promise<void> {
  process.env.AIR_QUALITY_DATASET ??= datasetPath();
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'AirQualityPipeline';
  const [count = 20_000, stations = 5, batchSize = 1000] = process.argv.slice(2).map(Number);
  const { handler } = await import('../functions/simulate/handler');
  const context = {
    awsRequestId: 'bench',
    functionName: 'simulate',
    getRemainingTimeInMillis: () => 900_000,
  } as unknown as Context;
  // Warm-up: loads and stages the dataset, connects, fetches metadata.
  await handler({ count: 10, mode: 'replay', stations: 1 }, context);
  const runs = [];
  for (let run = 0; run < 3; run++) {
    const result = await handler({ count, mode: 'replay', stations, batchSize }, context);
    runs.push({
      sent: result.sent,
      durationMs: result.durationMs,
      messagesPerSecond: Math.round(result.messagesPerSecond),
    });
    console.log(
      `run ${run + 1}: ${result.sent} messages in ${result.durationMs} ms = ${Math.round(result.messagesPerSecond)} messages/s`,
    );
  }
  const rates = runs.map((r) => r.messagesPerSecond).sort((a, b) => a - b);
  const summary = { messagesPerRun: count * stations, stations, batchSize, medianMessagesPerSecond: rates[1], runs };
  console.table(runs);
  console.log(`median produce throughput: ${rates[1]} messages/s`);
  saveResult('produce', summary);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
