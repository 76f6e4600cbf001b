import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { loadConfig, type PipelineConfig } from '../shared/config';
import { dockerDown, dockerEngineAvailable, dockerLogs, dockerPs, dockerUp } from './docker';
import { StackError } from './errors';
import { kafkaProcess, startNativeKafka } from './native-kafka';
import { minioProcess, startNativeMinio } from './native-minio';
import { dataDir } from './paths';
import type { ManagedProcess } from './processes';
import { ensureBucket, ensureTopics, kafkaAnswers, minioAnswers, waitUntil } from './provision';

export { StackError };

interface Service {
  name: string;
  process: ManagedProcess;
  answers(config: PipelineConfig): Promise<boolean>;
  start(config: PipelineConfig): Promise<void>;
  readyTimeoutMs: number;
}

const services: Service[] = [
  { name: 'Kafka', process: kafkaProcess, answers: (c) => kafkaAnswers(c.kafka.brokers), start: () => startNativeKafka(), readyTimeoutMs: 120_000 },
  { name: 'MinIO', process: minioProcess, answers: (c) => minioAnswers(c.s3.endpoint ?? ''), start: startNativeMinio, readyTimeoutMs: 60_000 },
];

/** Starts what is not running (Docker when an engine answers, native otherwise), then provisions topics and bucket. */
export async function up(config = loadConfig()): Promise<void> {
  if (!config.s3.endpoint) throw new StackError('S3_ENDPOINT is empty (AWS S3): the local stack serves MinIO on http://localhost:9000; unset S3_ENDPOINT.');
  const started = Date.now();
  if (dockerEngineAvailable()) {
    console.log('Docker engine found: starting the stack with docker compose.');
    await dockerUp();
  } else {
    for (const service of services) {
      if (await service.answers(config)) {
        console.log(`${service.name}: already running${service.process.pid() ? ` (pid ${service.process.pid()})` : ' (not started by this stack)'}.`);
        continue;
      }
      console.log(`${service.name}: starting natively...`);
      await service.start(config);
      await waitUntil(service.name, () => service.answers(config), service.readyTimeoutMs, () => service.process.pid() !== undefined).catch((error: Error) => {
        throw new StackError(`${error.message}\nLast lines of ${service.process.logFile}:\n${service.process.tail()}`);
      });
      console.log(`${service.name}: ready (pid ${service.process.pid()}).`);
    }
  }
  await ensureTopics(config);
  await ensureBucket(config);
  const { readings, deadLetter, predictions, partitions } = config.topics;
  console.log(`Stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s: Kafka ${config.kafka.brokers.join(',')} (topics ${readings}, ${deadLetter}, ${predictions}; ${partitions} partitions), MinIO ${config.s3.endpoint} (bucket ${config.s3.bucket}, console http://localhost:9001).`);
}

/** Stops what this stack started; data is kept. */
export async function down(): Promise<void> {
  if (dockerEngineAvailable()) return dockerDown();
  // MinIO first: Kafka's controlled shutdown takes a few seconds and nothing depends on MinIO stopping later.
  for (const service of [...services].reverse()) {
    const stopped = await service.process.stop();
    console.log(`${service.name}: ${stopped ? 'stopped' : 'was not running (from this stack)'}.`);
  }
}

/** Stops the stack and deletes its data (topics, offsets, bucket contents). */
export async function reset(): Promise<void> {
  if (dockerEngineAvailable()) return dockerDown(true);
  await down();
  if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
  console.log(`Deleted ${dataDir}.`);
}

export async function status(config = loadConfig()): Promise<boolean> {
  if (dockerEngineAvailable()) await dockerPs();
  let allUp = true;
  for (const service of services) {
    const answers = await service.answers(config);
    const pid = service.process.pid();
    allUp &&= answers;
    const state = answers ? `up${pid ? ` (pid ${pid})` : ''}` : pid ? `starting or unhealthy (pid ${pid})` : 'down';
    console.log(`${service.name.padEnd(6)} ${state}`);
  }
  return allUp;
}

/** Prints the last lines of each log; with follow, keeps printing. */
export async function logs(follow: boolean): Promise<void> {
  if (dockerEngineAvailable()) return dockerLogs(follow);
  const files = services.map((s) => s.process.logFile).filter((f) => existsSync(f));
  if (files.length === 0) throw new StackError('No logs yet: the native stack has not been started here (npm run stack:up).');
  await new Promise<void>((resolve) => spawn('tail', ['-n', '50', ...(follow ? ['-F'] : []), ...files], { stdio: 'inherit' }).on('exit', () => resolve()));
}
