import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { connect } from 'node:net';
import { it } from 'node:test';
import { loadConfig } from '../../shared/config';
import { createKafka } from '../../shared/kafka';
import { S3ObjectStore } from '../../shared/object-store';
import { down, up } from '../../stack';
import { dockerEngineAvailable } from '../../stack/docker';
import { kafkaProcess } from '../../stack/native-kafka';
import { minioProcess } from '../../stack/native-minio';
import { stateDir } from '../../stack/paths';
import { endOffsets, messagesBetween } from '../support/kafka';

const config = loadConfig();

/**
 * Command lines of live processes of this checkout's native stack: a broker or MinIO whose command line names this
 * checkout's state directory. Another checkout's stack (its own state directory) is none of this test's business.
 */
function stackProcesses(): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        return '';
      }
    })
    .filter((cmd) => cmd.includes(`${stateDir}/`) && (cmd.includes('kafka.Kafka') || cmd.includes('/minio-v')));
}

/** A zombie (exited, not reaped yet) counts as gone. */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

/** Why this test cannot run here, or false: it stops and starts the stack, so the running stack must be this checkout's. */
function notThisCheckoutsStack(): string | false {
  if (dockerEngineAvailable()) return 'covers the native stack; Docker volumes keep data by design';
  const missing = [kafkaProcess, minioProcess].filter((service) => service.pid() === undefined);
  if (missing.length === 0) return false;
  return `${missing.map((service) => service.name).join(' and ')} not started from this checkout (no live pid file in ${dirname(missing[0]!.pidFile)}): run it where npm run stack:up started the stack`;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

it('stack down leaves no process or port behind, and up again keeps topics, offsets and objects', {
  skip: notThisCheckoutsStack(),
}, async () => {
  const store = new S3ObjectStore(config.s3);
  const kafka = await createKafka(config.kafka, 'lifecycle-test');
  const marker = randomUUID();
  await store.put(`tests/lifecycle/${marker}.txt`, marker);
  const producer = kafka.producer();
  await producer.connect();
  const from = await endOffsets(kafka, config.topics.deadLetter);
  await producer.send({ topic: config.topics.deadLetter, messages: [{ key: 'lifecycle', value: marker }] });
  await producer.disconnect();

  const pids = [kafkaProcess.pid()!, minioProcess.pid()!];
  const stoppedAt = Date.now();
  await down();
  console.log(`stack:down took ${Date.now() - stoppedAt} ms`);
  assert.equal(kafkaProcess.pid(), undefined);
  assert.equal(minioProcess.pid(), undefined);
  for (const pid of pids) assert.equal(alive(pid), false, `process ${pid} still alive`);
  assert.deepEqual(stackProcesses(), []);
  for (const port of [29092, 29093, 9000, 9001]) assert.equal(await portOpen(port), false, `port ${port} still open`);

  const startedAt = Date.now();
  await up();
  console.log(`warm stack:up took ${Date.now() - startedAt} ms`);
  const object = await store.get(`tests/lifecycle/${marker}.txt`);
  assert.equal(new TextDecoder().decode(object?.body), marker);
  const [message] = await messagesBetween(
    kafka,
    config.topics.deadLetter,
    from,
    await endOffsets(kafka, config.topics.deadLetter),
  );
  assert.equal(message.message.value?.toString(), marker);
  await store.delete([`tests/lifecycle/${marker}.txt`]);
});
