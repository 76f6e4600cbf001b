/**
 * A process that dies inside a handler loses nothing: the next consumer of the group gets every record. Neither
 * does stopping while a handler is still running: past the shutdown timeout its batch stays uncommitted.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  committedOffsets,
  createTopics,
  Harness,
  mappingFor,
  numbered,
  produce,
  suiteTopics,
  waitFor,
} from '../support/kafka';

describe('crashed emulator', () => {
  const topics = suiteTopics(1);

  it('redelivers the records the crashed process was handling', async () => {
    const topic = topics[0]!;
    const mapping = mappingFor(topic, { batchSize: 10 });
    await produce(topic, numbered(0, 50));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', 'fixtures', 'crashing-worker.ts'), topic, mapping.consumerGroupId],
      { stdio: 'ignore' },
    );
    const exitCode = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(exitCode, 70, 'the handler crashed the process');

    const harness = new Harness({ mapping, sessionTimeoutMs: 6000 });
    await harness.worker.start();
    try {
      await waitFor('all 50 records after the crash', () => new Set(harness.received()).size === 50, 90_000);
    } finally {
      await harness.worker.stop();
    }
    assert.deepEqual(
      [...new Set(harness.received())].sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, n) => n),
    );
  });

  it('stops within the shutdown timeout while a handler still runs, and leaves its batch uncommitted', async (t) => {
    const {
      topics: [slowTopic],
      cleanup: removeSlowTopic,
    } = await createTopics(1, 1);
    t.after(removeSlowTopic);
    const mapping = mappingFor(slowTopic!, { batchSize: 10 });
    await produce(slowTopic!, numbered(0, 10));
    let release: () => void = () => undefined;
    let handlerFinished = false;
    const stuck = new Harness({
      mapping,
      shutdownTimeoutMs: 200,
      handler: () =>
        new Promise<void>((resolve) => {
          release = () => {
            handlerFinished = true;
            resolve();
          };
        }),
    });
    await stuck.worker.start();
    await waitFor('the first invocation', () => stuck.events.length === 1);
    await stuck.worker.stop();
    assert.equal(handlerFinished, false, 'stop() returned while the handler was still running');
    release();
    // The handler finishing after stop() must not commit: the batch belongs to whoever consumes next.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await committedOffsets(mapping.consumerGroupId, slowTopic!)).get(0) ?? -1, -1);

    const next = new Harness({ mapping });
    await next.worker.start();
    try {
      await waitFor('the uncommitted batch again', () => next.received().length === 10, 60_000);
    } finally {
      await next.worker.stop();
    }
    assert.deepEqual(
      next.received(),
      Array.from({ length: 10 }, (_, n) => n),
    );
  });
});
