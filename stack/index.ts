import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { loadConfig, type PipelineConfig } from '../shared/config';
import { dockerDown, dockerEngineAvailable, dockerLogs, dockerPs, dockerUp } from './docker';
import { StackError } from './errors';
import { kafkaProcess, startNativeKafka } from './native-kafka';
import { minioProcess, startNativeMinio } from './native-minio';
import { dataDir } from './paths';
import type { ManagedProcess } from './processes';
import {
  ensureBucket,
  ensureTopics,
  groupCoordinatorAnswers,
  kafkaAnswers,
  minioAnswers,
  waitUntil,
} from './provision';
import { phase } from './tools';

export { StackError };

interface Service {
  name: string;
  process: ManagedProcess;
  answers(config: PipelineConfig): Promise<boolean>;
  /** What a client needs beyond answering (Kafka: group coordinators); checked even when it was already running. */
  ready?(config: PipelineConfig): Promise<boolean>;
  readyWhat?: string;
  start(config: PipelineConfig): Promise<void>;
  readyTimeoutMs: number;
}

const services: Service[] = [
  {
    name: 'Kafka',
    process: kafkaProcess,
    answers: (c) => kafkaAnswers(c.kafka.brokers),
    ready: (c) => groupCoordinatorAnswers(c.kafka.brokers),
    readyWhat: 'the group coordinators and producer ids',
    start: () => startNativeKafka(),
    readyTimeoutMs: 120_000,
  },
  {
    name: 'MinIO',
    process: minioProcess,
    answers: (c) => minioAnswers(c.s3.endpoint ?? ''),
    start: startNativeMinio,
    readyTimeoutMs: 60_000,
  },
];

/** A service that did not come up, with its log: the native process's file, or Docker's (its containers write no file here). */
const failedStart =
  (service: Service, docker = false) =>
  (error: Error) => {
    throw new StackError(
      docker
        ? `${error.message}\nIts log: npm run stack:logs.`
        : `${error.message}\nLast lines of ${service.process.logFile}:\n${service.process.tail()}`,
    );
  };

async function awaitReady(service: Service, config: PipelineConfig, docker = false): Promise<void> {
  const { ready, readyWhat } = service;
  if (!ready || (await ready(config))) return;
  await phase(`${service.name}: waiting for ${readyWhat}`, () =>
    waitUntil(`${service.name} (${readyWhat})`, () => ready(config), service.readyTimeoutMs),
  ).catch(failedStart(service, docker));
}

/**
 * Starts what is not running (Docker when an engine answers, native otherwise), then provisions topics and bucket.
 * Returns when a client can use everything: the broker answers metadata, consumer groups find their coordinator,
 * MinIO is ready, topics have leaders and the bucket exists.
 */
export async function up(config = loadConfig()): Promise<void> {
  if (!config.s3.endpoint)
    throw new StackError(
      'S3_ENDPOINT is empty (AWS S3): the local stack serves MinIO on http://localhost:9000; unset S3_ENDPOINT.',
    );
  const started = Date.now();
  if (dockerEngineAvailable()) {
    console.log('Docker engine found: starting the stack with docker compose.');
    await dockerUp();
    for (const service of services) await awaitReady(service, config, true);
  } else {
    for (const service of services) {
      if (await service.answers(config)) {
        console.log(
          `${service.name}: already running${service.process.pid() ? ` (pid ${service.process.pid()})` : ' (not started by this stack)'}.`,
        );
      } else {
        await service.start(config);
        await phase(`${service.name}: starting`, () =>
          waitUntil(
            service.name,
            () => service.answers(config),
            service.readyTimeoutMs,
            () => service.process.pid() !== undefined,
          ),
        ).catch(failedStart(service));
      }
      await awaitReady(service, config);
    }
  }
  const { readings, deadLetter, predictions, partitions } = config.topics;
  await phase('Creating topics and the bucket', async () => {
    await ensureTopics(config);
    await ensureBucket(config);
  });
  console.log(
    `Stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s: Kafka ${config.kafka.brokers.join(',')} (topics ${readings}, ${deadLetter}, ${predictions}; ${partitions} partitions), MinIO ${config.s3.endpoint} (bucket ${config.s3.bucket}, console http://localhost:9001).`,
  );
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
  if (files.length === 0)
    throw new StackError('No logs yet: the native stack has not been started here (npm run stack:up).');
  await new Promise<void>((resolve) =>
    spawn('tail', ['-n', '50', ...(follow ? ['-F'] : []), ...files], { stdio: 'inherit' }).on('exit', () => resolve()),
  );
}
