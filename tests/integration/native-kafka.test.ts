import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startKafkaBroker } from '../../stack/native-kafka';
import { ManagedProcess } from '../../stack/processes';
import { freePorts } from '../support/secured-kafka';

const noJava = spawnSync('which', ['java']).status !== 0;

describe('the native Kafka broker', { skip: noJava && 'java not found: install Java 17+ to run the native broker' }, () => {
  // One random cluster id in 64 starts with "-" (base64url); the storage tool must not read it as an option.
  it('formats its storage with a cluster id that starts with "-"', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafka-format-'));
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data', 'kafka-cluster.id'), '-Ab3_xYz0123456789QQQQ');
    const broker = new ManagedProcess('kafka-format-test', 'kafka.Kafka', { runDir: join(dir, 'run'), logDir: join(dir, 'logs') });
    const [controllerPort, port] = (await freePorts(2)) as [number, number];
    try {
      await startKafkaBroker({ process: broker, stateDir: dir, controllerPort, listeners: [{ name: 'PLAINTEXT', port, protocol: 'PLAINTEXT' }] });
      assert.ok(broker.pid() !== undefined, broker.tail(20));
    } finally {
      await broker.stop(10_000);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
