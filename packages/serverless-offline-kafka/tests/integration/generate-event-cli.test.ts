/** `serverless-offline-kafka generate-event` run as a process, as `npx` runs it. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { LambdaKafkaEvent } from '../../src/event';

const cli = join(__dirname, '../../src/cli.ts');
const run = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { input, encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'generate-event-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('generate-event (process)', () => {
  it('writes the event of JSON Lines records to --out, and one record from flags to stdout', () => {
    const input = join(dir, 'records.jsonl');
    const out = join(dir, 'event.json');
    writeFileSync(
      input,
      ['{"key":"S1","value":{"co":2.1},"headers":[{"note":"ë"}]}', '{"partition":1,"key":null,"value":null}'].join(
        '\n',
      ),
    );
    const fromFile = run([
      'generate-event',
      '--input',
      input,
      '--topic',
      'air',
      '--source',
      'msk',
      '--arn',
      'arn:aws:kafka:us-east-1:123456789012:cluster/c/1',
      '--out',
      out,
    ]);
    assert.equal(fromFile.status, 0, fromFile.stderr);
    const event = JSON.parse(readFileSync(out, 'utf8')) as LambdaKafkaEvent;
    assert.deepEqual(
      [event.eventSource, Object.keys(event.records), event.records['air-0']![0]!.headers],
      ['aws:kafka', ['air-0', 'air-1'], [{ note: [-61, -85] }]],
    );

    const fromFlags = run([
      'generate-event',
      '--topic',
      't',
      '--key',
      'k',
      '--value',
      'v',
      '--header',
      'a=1',
      '--header',
      'a=2',
      '--timestamp',
      '1700000000000',
      '--bootstrap-servers',
      'b1:9092,b2:9092',
    ]);
    assert.equal(fromFlags.status, 0, fromFlags.stderr);
    assert.deepEqual(JSON.parse(fromFlags.stdout), {
      eventSource: 'SelfManagedKafka',
      bootstrapServers: 'b1:9092,b2:9092',
      records: {
        't-0': [
          {
            topic: 't',
            partition: 0,
            offset: 0,
            timestamp: 1700000000000,
            timestampType: 'CREATE_TIME',
            key: 'aw==',
            value: 'dg==',
            headers: [{ a: [49] }, { a: [50] }],
          },
        ],
      },
    });
  });

  it('exits 2 with the problem and no stack trace on bad input', () => {
    const bad = run(['generate-event', '--input', '-'], '{"topic":"t","partition":"zero"}\n');
    assert.equal(bad.status, 2);
    assert.equal(bad.stdout, '');
    assert.equal(
      bad.stderr,
      'serverless-offline-kafka: record 1: partition must be a whole number >= 0, got "zero".\n',
    );
  });
});
