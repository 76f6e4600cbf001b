/** `sls offline start` on the fixture service: records produced from outside reach both functions' handlers. */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { decodedValue, numbered, produce, recordsOf, suiteTopics, validated, waitFor } from '../support/kafka';
import type { LambdaKafkaEvent } from '../../src/event';

const packageDir = join(__dirname, '..', '..');
const serviceDir = join(packageDir, 'tests', 'fixtures', 'service');
const slsBin = require.resolve('serverless/bin/serverless.js');

interface Invocation {
  functionName: string;
  event: LambdaKafkaEvent;
}

describe('sls offline start with the plugin', () => {
  const topics = suiteTopics(1);
  let workDir: string;
  before(() => {
    workDir = mkdtempSync(join(tmpdir(), 'offline-kafka-'));
    // osls loads the plugin from its package entry, the bundled dist/.
    execFileSync('npm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore' });
  });
  after(() => rmSync(workDir, { recursive: true, force: true }));

  /** `sls offline start` on the fixture service with its mappings on `topic`; its output collects in logs(). */
  function startOffline(topic: string, output: string, env: NodeJS.ProcessEnv = {}) {
    const port = 40_000 + Math.floor(Math.random() * 10_000);
    const child = spawn(process.execPath, [slsBin, 'offline', 'start'], {
      cwd: serviceDir,
      env: {
        ...process.env,
        FIXTURE_TOPIC: topic,
        FIXTURE_OUTPUT: output,
        FIXTURE_HTTP_PORT: String(port),
        FIXTURE_LAMBDA_PORT: String(port + 1),
        SLS_TELEMETRY_DISABLED: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout.on('data', (chunk) => (logs += chunk));
    child.stderr.on('data', (chunk) => (logs += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    return { child, exited, logs: () => logs };
  }

  it('invokes the kafka and msk functions with records produced by a plain kafkajs producer', async () => {
    const topic = topics[0]!;
    const output = join(workDir, 'invocations.jsonl');
    const { child, exited, logs } = startOffline(topic, output);
    const invocations = (): Invocation[] =>
      existsSync(output)
        ? readFileSync(output, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line))
        : [];
    const received = (functionName: string) =>
      invocations()
        .filter((i) => i.functionName.endsWith(functionName))
        .flatMap((i) => recordsOf(validated(i.event)));
    try {
      await waitFor(
        'both mappings to start',
        () => (logs().match(/kafka λ \w+ ← /g) ?? []).length === 2 || child.exitCode !== null,
        90_000,
      );
      assert.equal(child.exitCode, null, `sls offline exited early:\n${logs()}`);
      await produce(topic, numbered(0, 30));
      await waitFor(
        '30 records in selfManaged and 10 in managed',
        () => received('selfManaged').length === 30 && received('managed').length === 10,
        60_000,
      );
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    const byFunction = (name: string) =>
      invocations()
        .filter((i) => i.functionName.endsWith(name))
        .map((i) => i.event);
    assert.ok(
      byFunction('selfManaged').every(
        (event) => event.eventSource === 'SelfManagedKafka' && event.bootstrapServers === 'localhost:29092',
      ),
    );
    assert.ok(
      byFunction('managed').every(
        (event) =>
          event.eventSource === 'aws:kafka' &&
          event.eventSourceArn === 'arn:aws:kafka:us-east-1:123456789012:cluster/fixture/abcd-1',
      ),
    );
    assert.deepEqual(
      received('managed')
        .map((r) => (decodedValue(r) as { n: number }).n)
        .sort((a, b) => a - b),
      Array.from({ length: 10 }, (_, n) => n),
    );
    // osls accepted the settings the plugin adds to its schema, and the one it cannot emulate is said at start.
    assert.match(
      logs(),
      /functions\.managed\.events\[0\]\.msk: onFailureDestination arn:aws:sqs:us-east-1:123456789012:fixture-failures is not emulated/,
    );
    assert.match(logs(), new RegExp(`kafka λ selfManaged ${topic}-\\d @\\d+(\\.\\.\\d+)? \\d+ records? \\d+ ms ok`));
  });

  it('stops with the reason and a non-zero exit when a mapping cannot start, after stopping the one that started', async () => {
    const missing = `offline-kafka-missing-${randomUUID().slice(0, 8)}`;
    const { exited, logs } = startOffline(topics[0]!, join(workDir, 'never.jsonl'), { FIXTURE_MSK_TOPIC: missing });
    const code = await exited;
    assert.notEqual(code, 0, logs());
    assert.match(
      logs(),
      new RegExp(
        `kafka λ managed: cannot start the mapping on ${missing} at localhost:29092: topic ${missing} does not exist; create it first`,
      ),
    );
    assert.match(logs(), /sls offline start stopped: no mapping is running/);
    // The process ended by itself: the selfManaged mapping and the runner were stopped, nothing kept it open.
    assert.doesNotMatch(logs(), /serverless-offline-kafka: exiting, as something else/);
  });
});
