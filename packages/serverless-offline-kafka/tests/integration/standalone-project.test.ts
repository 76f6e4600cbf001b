/**
 * The plugin as a user gets it: packed with `npm pack`, installed into a Serverless project outside this repository
 * (nothing hoisted from the monorepo), run with `npx sls offline start`, stopped with Ctrl-C.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { findPackageJSON } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { committedOffsets, decodedValue, kafka, produce, suiteTopics, waitFor } from '../support/kafka';
import type { LambdaKafkaEvent } from '../../src/event';

const packageDir = join(__dirname, '..', '..');
const INSTALL_TIMEOUT_MS = 120_000;

/** The version this repository installed, so the project runs what the in-repo tests run. */
const installedVersion = (name: string): string =>
  JSON.parse(readFileSync(findPackageJSON(name, __filename)!, 'utf8')).version;

/** The environment without the outer npm's `npm_*` settings (a workspace, a prefix), which would steer the inner npm. */
const plainEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith('npm_')));

/** Runs a command to its end (or its timeout); never throws: `output` (the command line, stdout, stderr) says what happened. */
function run(
  command: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
): Promise<{ ok: boolean; stdout: string; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: plainEnv(), timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const timedOut = error?.killed ? `\n(killed after ${timeoutMs} ms)` : '';
        resolve({ ok: !error, stdout, output: `$ ${command} ${args.join(' ')}\n${stdout}${stderr}${timedOut}` });
      },
    );
  });
}

/** Builds the package and packs it into `dir`; returns the tarball's path. */
async function packPlugin(dir: string): Promise<string> {
  const build = await run('npm', ['run', 'build'], packageDir, 60_000);
  assert.ok(build.ok, build.output);
  const pack = await run('npm', ['pack', '--json', '--pack-destination', dir], packageDir, 60_000);
  assert.ok(pack.ok, pack.output);
  const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
  return join(dir, filename);
}

/** A minimal service: one function on a `kafka` event whose handler appends each event to events.jsonl. */
function writeProject(dir: string, tarball: string, topic: string): void {
  const port = 40_000 + Math.floor(Math.random() * 10_000);
  const packageJson = {
    name: 'offline-kafka-standalone-project',
    private: true,
    devDependencies: {
      serverless: `npm:osls@${installedVersion('serverless')}`,
      'serverless-offline': installedVersion('serverless-offline'),
      'serverless-offline-kafka': `file:${tarball}`,
    },
  };
  writeFileSync(join(dir, 'package.json'), JSON.stringify(packageJson, null, 2));
  writeFileSync(
    join(dir, 'serverless.yml'),
    `service: offline-kafka-standalone
frameworkVersion: '4'
plugins:
  - serverless-offline-kafka
  - serverless-offline
provider:
  name: aws
  runtime: nodejs24.x
  stage: local
  region: us-east-1
custom:
  serverless-offline-kafka:
    bootstrapServers: localhost:29092
    accessConfigurations: {} # the local broker is plaintext; the event describes the cloud's
  serverless-offline:
    httpPort: ${port}
    lambdaPort: ${port + 1}
functions:
  record:
    handler: handler.record
    events:
      - kafka:
          topic: ${topic}
          bootstrapServers: [kafka.example.internal:9096]
          accessConfigurations:
            saslScram512Auth: [arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-credentials]
          startingPosition: TRIM_HORIZON
`,
  );
  writeFileSync(
    join(dir, 'handler.js'),
    `const { appendFileSync } = require('node:fs');
const { join } = require('node:path');

exports.record = async (event) => {
  appendFileSync(join(__dirname, 'events.jsonl'), JSON.stringify(event) + '\\n');
};
`,
  );
}

/** Processes still in a process group, as `pid args` lines. */
function processesInGroup(processGroup: number): string[] {
  return execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, pgid]) => pid && Number(pgid) === processGroup)
    .map(([pid, , ...args]) => `${pid} ${args.join(' ')}`);
}

/** A consumer group's state: `Empty` once its last member left. */
async function groupState(groupId: string): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    return groups[0]!.state;
  } finally {
    await admin.disconnect();
  }
}

/** Signed Java bytes, as Lambda sends header values. */
const javaBytes = (text: string): number[] => [...new Int8Array(Buffer.from(text))];

describe('a Serverless project that installs only the packed plugin', () => {
  const topics = suiteTopics(1);
  let rootDir: string;
  before(() => {
    rootDir = mkdtempSync(join(tmpdir(), 'offline-kafka-standalone-'));
  });
  after(() => rmSync(rootDir, { recursive: true, force: true }));

  it('runs under `npx sls offline start`, delivers Lambda events and leaves nothing behind on Ctrl-C', {
    timeout: 170_000,
  }, async (t) => {
    const topic = topics[0]!;
    const projectDir = join(rootDir, 'project');
    mkdirSync(projectDir);
    writeProject(projectDir, await packPlugin(rootDir), topic);

    const install = await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund'],
      projectDir,
      INSTALL_TIMEOUT_MS,
    );
    if (!install.ok) {
      const ping = await run('npm', ['ping'], projectDir, 20_000);
      if (!ping.ok)
        return t.skip(`the npm registry is unreachable, so the project cannot be installed:\n${ping.output}`);
      assert.fail(`npm install failed in ${projectDir}:\n${install.output}`);
    }
    // The package's command line came along too.
    const generated = await run(
      'npx',
      ['serverless-offline-kafka', 'generate-event', '--topic', topic, '--value', 'v'],
      projectDir,
      30_000,
    );
    assert.ok(generated.ok, generated.output);
    assert.equal(
      (JSON.parse(generated.stdout) as LambdaKafkaEvent).records[`${topic}-0`]?.[0]?.value,
      Buffer.from('v').toString('base64'),
    );

    // Its own process group, so Ctrl-C can go to npx and everything under it, as a terminal sends it.
    const child = spawn('npx', ['sls', 'offline', 'start'], {
      cwd: projectDir,
      env: { ...plainEnv(), SLS_TELEMETRY_DISABLED: '1' },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const processGroup = child.pid!;
    let logs = '';
    child.stdout.on('data', (chunk) => (logs += chunk));
    child.stderr.on('data', (chunk) => (logs += chunk));
    const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const output = join(projectDir, 'events.jsonl');
    const events = (): LambdaKafkaEvent[] =>
      existsSync(output)
        ? readFileSync(output, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line))
        : [];
    const delivered = () => events().flatMap((event) => Object.values(event.records).flat());
    const messages = Array.from({ length: 6 }, (_, n) => ({
      key: `k${n}`,
      value: JSON.stringify({ n }),
      headers: { note: 'ë' },
    }));
    let left: string[] = [];
    try {
      await waitFor(
        'the mapping to start',
        () => logs.includes(`kafka λ record ← ${topic}`) || child.exitCode !== null,
        60_000,
      );
      assert.equal(child.exitCode, null, 'sls offline start exited early');
      await produce(topic, messages);
      await waitFor('6 records in the handler', () => delivered().length >= messages.length, 30_000);

      process.kill(-processGroup, 'SIGINT');
      await waitFor(
        'sls offline start to exit after Ctrl-C',
        () => child.exitCode !== null || child.signalCode !== null,
        20_000,
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- sls offline start output ---\n${logs}`, { cause: error });
    } finally {
      left = processesInGroup(processGroup);
      if (left.length > 0) process.kill(-processGroup, 'SIGKILL');
    }
    assert.deepEqual(
      left,
      [],
      `processes left after Ctrl-C:\n${left.join('\n')}\n--- sls offline start output ---\n${logs}`,
    );
    // npx ends as Ctrl-C ends it (by the signal, after its child exited); the plugin's stop left the consumer group
    // and had committed every record, which a killed consumer would not have done.
    const { code, signal } = await exit;
    assert.ok(
      signal === 'SIGINT' || code === 0,
      `npx sls offline start ended with ${signal ?? `exit code ${code}`}:\n${logs}`,
    );
    const consumerGroup = `offline-kafka-standalone-local-record-${topic}`;
    assert.equal(await groupState(consumerGroup), 'Empty', logs);
    const committed = [...(await committedOffsets(consumerGroup, topic)).values()].reduce(
      (sum, offset) => sum + Math.max(0, offset),
      0,
    );
    assert.equal(committed, messages.length, logs);

    for (const event of events()) {
      assert.equal(event.eventSource, 'SelfManagedKafka');
      assert.equal(event.bootstrapServers, 'localhost:29092');
      for (const [key, records] of Object.entries(event.records)) {
        for (const record of records) assert.equal(key, `${topic}-${record.partition}`);
      }
    }
    const received = delivered().sort(
      (a, b) => (decodedValue(a) as { n: number }).n - (decodedValue(b) as { n: number }).n,
    );
    assert.deepEqual(
      received.map(({ topic: recordTopic, key, value, headers, timestampType }) => ({
        topic: recordTopic,
        key,
        value,
        headers,
        timestampType,
      })),
      messages.map(({ key, value }) => ({
        topic,
        key: Buffer.from(key).toString('base64'),
        value: Buffer.from(value).toString('base64'),
        headers: [{ note: javaBytes('ë') }],
        timestampType: 'CREATE_TIME',
      })),
    );
  });
});
