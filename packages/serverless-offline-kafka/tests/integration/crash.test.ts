/** A process that dies inside a handler loses nothing: the next consumer of the group gets every record. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTopics, Harness, mappingFor, numbered, produce, waitFor } from '../support/kafka';

describe('crashed emulator', () => {
  let topic: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ topics: [topic = ''], cleanup } = await createTopics(1)));
  after(async () => cleanup());

  it('redelivers the records the crashed process was handling', async () => {
    const mapping = mappingFor(topic, { batchSize: 10 });
    await produce(topic, numbered(0, 50));
    const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'fixtures', 'crashing-worker.ts'), topic, mapping.consumerGroupId], { stdio: 'ignore' });
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(exitCode, 70, 'the handler crashed the process');

    const harness = new Harness({ mapping, sessionTimeoutMs: 6000 });
    await harness.worker.start();
    try {
      await waitFor('all 50 records after the crash', () => new Set(harness.received()).size === 50, 90_000);
    } finally {
      await harness.worker.stop();
    }
    assert.deepEqual([...new Set(harness.received())].sort((a, b) => a - b), Array.from({ length: 50 }, (_, n) => n));
  });
});
