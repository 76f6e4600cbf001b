/** A compaction process killed (SIGKILL, its own child) after each of its steps: readers lose and double nothing. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compactTopic } from '../../../functions/compact/compact';
import { assertEachOnce, cleanUp, filesByDay, STATIONS, store, uniqueTopic, writeLake } from './support';

const topics: string[] = [];
after(() => cleanUp(topics));

const HOURS = 90;
const READINGS = HOURS * STATIONS.length;

describe('compaction process killed after each step', () => {
  for (const step of ['written', 'recorded', 'deleted']) {
    it(`SIGKILLed after "${step}": every reading counted once, and the next run leaves one file per closed day`, async () => {
      const topic = uniqueTopic();
      topics.push(topic);
      await writeLake(topic, [0], HOURS);
      const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'killed-compaction.ts'), topic, step], {
        stdio: 'inherit',
      });
      const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
        child.on('exit', (code, signal) => resolve({ code, signal })),
      );
      assert.deepEqual(
        exit,
        { code: null, signal: 'SIGKILL' },
        `the compaction should have killed itself after ${step}`,
      );
      await assertEachOnce(topic, READINGS, `after the kill at "${step}"`);

      await compactTopic(store, { topic });
      await assertEachOnce(topic, READINGS, 'after the next run');
      const files = [...(await filesByDay(topic)).entries()].sort();
      assert.deepEqual(
        files.map(([day, count]) => [day, count.compacted, count.small > 0]),
        [
          ['0/2026-11-24', 1, false],
          ['0/2026-11-25', 1, false],
          ['0/2026-11-26', 1, false],
          ['0/2026-11-27', 1, false],
          ['0/2026-11-28', 0, true],
        ],
      );
    });
  }
});
