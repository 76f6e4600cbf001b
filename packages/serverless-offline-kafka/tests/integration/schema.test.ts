/** osls's own configuration validation covers the event settings the plugin adds to its schema. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';

const packageDir = join(__dirname, '..', '..');
const serviceDir = join(packageDir, 'tests', 'fixtures', 'service');
const slsBin = require.resolve('serverless/bin/serverless.js');

describe('osls validating kafka and msk events with the plugin', () => {
  // osls loads the plugin from its package entry, the bundled dist/.
  before(() => execFileSync('npm', ['run', 'build'], { cwd: packageDir, stdio: 'ignore' }));

  it('reports a misspelt setting, an out-of-range one and an unknown response type as configuration errors', () => {
    const result = spawnSync(process.execPath, [slsBin, 'print', '--config', 'serverless.invalid.yml'], {
      cwd: serviceDir,
      encoding: 'utf8',
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
    });
    const output = result.stdout + result.stderr;
    assert.notEqual(result.status, 0, output);
    assert.match(output, /at 'functions\.f\.events\.0\.kafka': unrecognized property 'maximumRetryAttempt'/);
    assert.match(output, /at 'functions\.f\.events\.0\.kafka\.maximumRecordAgeInSeconds': must be <= 604800/);
    assert.match(
      output,
      /at 'functions\.f\.events\.1\.msk\.functionResponseTypes\.0': must be equal to one of the allowed values \[ReportBatchItemFailures\]/,
    );
  });

  it('accepts the fixture service, which uses them on both kinds of event', () => {
    const result = spawnSync(process.execPath, [slsBin, 'print'], {
      cwd: serviceDir,
      encoding: 'utf8',
      env: {
        ...process.env,
        SLS_TELEMETRY_DISABLED: '1',
        FIXTURE_TOPIC: 't',
        FIXTURE_OUTPUT: '/dev/null',
        FIXTURE_HTTP_PORT: '1',
        FIXTURE_LAMBDA_PORT: '2',
      },
    });
    assert.equal(result.status, 0, result.stdout + result.stderr);
  });
});
