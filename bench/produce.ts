/**
 * Produce throughput of `simulate` (readings → broker) against kcat (librdkafka), side by side in one run:
 *   - ours: simulate's domain code (the handler's, without middleware) with the product's idempotent kafkajs producer;
 *   - alternative: the same with @platformatic/kafka behind the same MessageProducer port
 *     (bench/anchors/platformatic-producer.ts; installed under the project's cache on first use);
 *   - anchor: kcat (`apt-get install -y kcat`) sending the same kind of readings (same dataset rows, same plan) from
 *     a file, idempotent, with the same headers.
 * Each contender produces <readings per station × stations> readings per round to a new 3-partition topic on the
 * local broker, timed from the call (or process start) to the last acknowledgement.
 *   npm run bench:produce [-- <readings per station> <stations> <batchSize> <rounds>]   (defaults 20000 5 1000 3)
 * Prints the figures and writes bench/results/produce.json.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '@air-quality/preprocessing';
import type { PartitionMetadata } from 'kafkajs';
import { datasetRows, type DatasetRows } from '../functions/simulate/messages';
import { replayPlan } from '../functions/simulate/plan';
import { simulate } from '../functions/simulate/simulate';
import { SimulatorStateStore } from '../functions/simulate/state-store';
import { loadConfig } from '../shared/config';
import { loadPreparedDataset } from '../shared/dataset';
import { createKafka } from '../shared/kafka';
import { S3ObjectStore } from '../shared/object-store';
import { KafkaMessageProducer, type MessageProducer } from '../shared/producer';
import { datasetPath } from '../tests/support/dataset';
import { createTopics, deleteTopics, endOffsets, withAdmin } from '../tests/support/kafka';
import { platformaticProducer } from './anchors/platformatic-producer';
import { saveResult } from './support/results';
import { median } from './support/stats';

process.env.AIR_QUALITY_DATASET ??= datasetPath();
const [count = 20_000, stations = 5, batchSize = 1000, rounds = 3] = process.argv.slice(2).map(Number);
const total = count * stations;
const config = loadConfig();
const store = new S3ObjectStore(config.s3);
const run = randomUUID().slice(0, 8);
const stateKey = `bench/produce-${run}/simulate-state.json`;
const topics: string[] = [];

interface Produced {
  seconds: number;
  messagesPerSecond: number;
}

const timed = async (produce: () => Promise<unknown>): Promise<Produced> => {
  const started = performance.now();
  await produce();
  const seconds = (performance.now() - started) / 1000;
  return { seconds: Number(seconds.toFixed(3)), messagesPerSecond: Math.round(total / seconds) };
};

/** simulate's domain code, as the handler runs it, with `producer` behind the port. */
const simulateWith = (rows: DatasetRows, producer: MessageProducer, topic: string) =>
  simulate(
    { count, mode: 'replay', stations, batchSize, dryRun: false, qc: false },
    {
      rows,
      state: new SimulatorStateStore(store, stateKey),
      producer,
      topic,
      random: seededRandom,
      writeQc: () => Promise.reject(new Error('the benchmark asks for no QC summary')),
      clock: { now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    },
  );

/** The readings of one run as kcat reads them: `key<TAB>value` lines. */
function kcatInput(rows: DatasetRows, dir: string): string {
  const plan = replayPlan({ nextSequence: 0 }, rows.length, stations, count, Date.now());
  const file = join(dir, 'readings.tsv');
  const lines = plan.emissions.map((e) => {
    const reading = rows.reading(e);
    return `${reading.stationId}\t${JSON.stringify(reading)}\n`;
  });
  writeFileSync(file, lines.join(''));
  return file;
}

function kcat(file: string, topic: string): Promise<void> {
  const args = ['-P', '-b', config.kafka.brokers.join(','), '-t', topic, '-K', '\t', '-l', file];
  const headers = ['-H', 'content-type=application/json', '-H', 'schema-version=1'];
  const idempotent = ['-X', 'enable.idempotence=true', '-X', 'acks=all'];
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', [...args, ...headers, ...idempotent], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', (error) =>
      reject(new Error(`kcat could not start (${error.message}); install it: apt-get install -y kcat`)),
    );
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`kcat exited with ${code}`))));
  });
}

async function main(): Promise<void> {
  const kafka = await createKafka(config.kafka, 'bench-produce');
  const rows = datasetRows((await loadPreparedDataset(store)).table);
  const dir = mkdtempSync(join(tmpdir(), 'bench-produce-'));
  const newTopic = async (contender: string, round: number) => {
    const topic = `bench-produce-${run}-${contender}-${round}`;
    await createTopics(kafka, [topic]);
    topics.push(topic);
    return topic;
  };
  /** Every message arrived: the topic's end offsets add up to the readings of one run. */
  const check = async (topic: string) => {
    const ends = await endOffsets(kafka, topic);
    const written = [...ends.values()].reduce((a, b) => a + b, 0);
    if (written !== total) throw new Error(`${topic} holds ${written} messages, expected ${total}`);
  };
  const ours = new KafkaMessageProducer(config.kafka, 'bench');
  let alternative: MessageProducer | undefined;
  try {
    const file = kcatInput(rows, dir);
    // Warm-up: connects, fetches metadata, compiles the hot code of both clients.
    const warmTopic = await newTopic('warm', 0);
    const metadata: PartitionMetadata[] = await withAdmin(
      kafka,
      async (admin) => (await admin.fetchTopicMetadata({ topics: [warmTopic] })).topics[0]!.partitions,
    );
    alternative = await platformaticProducer(config.kafka, metadata);
    for (const producer of [ours, alternative]) await producer.send(warmTopic, [{ key: 'warm-up', value: '{}' }]);

    const runs: { round: number; ours: Produced; alternative: Produced; kcat: Produced }[] = [];
    for (let round = 1; round <= rounds; round++) {
      const topic = { ours: await newTopic('ours', round), alternative: await newTopic('alternative', round) };
      const kcatTopic = await newTopic('kcat', round);
      const figures = {
        round,
        ours: await timed(() => simulateWith(rows, ours, topic.ours)),
        alternative: await timed(() => simulateWith(rows, alternative!, topic.alternative)),
        kcat: await timed(() => kcat(file, kcatTopic)),
      };
      await Promise.all([check(topic.ours), check(topic.alternative), check(kcatTopic)]);
      console.log(
        `round ${round}: ours ${figures.ours.messagesPerSecond}/s, @platformatic/kafka ${figures.alternative.messagesPerSecond}/s, kcat ${figures.kcat.messagesPerSecond}/s`,
      );
      runs.push(figures);
    }
    const rate = (contender: 'ours' | 'alternative' | 'kcat') =>
      median(runs.map((r) => r[contender].messagesPerSecond));
    const summary = {
      benchmark: 'produce',
      messagesPerRun: total,
      stations,
      batchSize,
      ours: {
        what: 'simulate + KafkaMessageProducer (kafkajs, idempotent, acks all)',
        medianMessagesPerSecond: rate('ours'),
      },
      alternative: {
        what: 'simulate + @platformatic/kafka behind the same port (idempotent, acks all)',
        medianMessagesPerSecond: rate('alternative'),
      },
      anchor: {
        what: 'kcat -P (librdkafka), same readings from a file, idempotent',
        medianMessagesPerSecond: rate('kcat'),
      },
      ratio: Number((rate('ours') / rate('kcat')).toFixed(3)),
      alternativeRatio: Number((rate('alternative') / rate('kcat')).toFixed(3)),
      runs,
    };
    console.log(
      `median: ours ${rate('ours')}/s, @platformatic/kafka ${rate('alternative')}/s, kcat ${rate('kcat')}/s; ours/kcat ${summary.ratio}, alternative/kcat ${summary.alternativeRatio}`,
    );
    saveResult('produce', summary);
  } finally {
    await Promise.all([ours.disconnect(), alternative?.disconnect()]);
    rmSync(dir, { recursive: true, force: true });
    await deleteTopics(kafka, topics);
    await store.delete([stateKey]);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
