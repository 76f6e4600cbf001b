/** A plaintext KRaft broker of a test's own (own ports, own state directory), started as the stack starts its broker. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafkaBroker } from '../../stack/native-kafka';
import { ManagedProcess } from '../../stack/processes';
import { freePorts } from './secured-kafka';

/** Why the native-broker tests are skipped here, or false when they can run. */
export const noJavaReason =
  spawnSync('which', ['java']).status !== 0 && 'java not found: install Java 17+ to run the native broker';

/** Not started yet: `start()` formats its storage on first use and starts it without waiting for it to answer. */
export async function freshBroker(name: string) {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-fresh-'));
  const managed = new ManagedProcess(name, 'kafka.Kafka', { runDir: join(dir, 'run'), logDir: join(dir, 'logs') });
  const [controllerPort, port] = (await freePorts(2)) as [number, number];
  const start = () =>
    startKafkaBroker({
      process: managed,
      stateDir: dir,
      controllerPort,
      listeners: [{ name: 'PLAINTEXT', port, protocol: 'PLAINTEXT' }],
    });
  const remove = async () => {
    await managed.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, process: managed, brokers: [`localhost:${port}`], start, remove };
}
