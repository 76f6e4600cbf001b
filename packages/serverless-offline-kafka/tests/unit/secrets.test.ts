import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileSecrets, secretsFilePath } from '../../src/secrets';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-user-AbCdEf';
const dir = mkdtempSync(join(tmpdir(), 'offline-kafka-secrets-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('secretsFilePath', () => {
  it('is .serverless-offline-kafka/secrets.json in the service directory unless configured; the variable wins', () => {
    assert.equal(secretsFilePath(undefined, {}, '/svc'), '/svc/.serverless-offline-kafka/secrets.json');
    assert.equal(secretsFilePath('local/secrets.json', {}, '/svc'), '/svc/local/secrets.json');
    assert.equal(
      secretsFilePath('local/secrets.json', { SERVERLESS_OFFLINE_KAFKA_SECRETS: '/etc/ci-secrets.json' }, '/svc'),
      '/etc/ci-secrets.json',
    );
  });
});

describe('fileSecrets', () => {
  it('reads the secrets by ARN or by name, as objects or as JSON text', () => {
    const secrets = fileSecrets(
      file(
        'ok.json',
        JSON.stringify({ [ARN]: { username: 'a', password: 'b' }, 'kafka-ca-AbCdEf': '{"certificate":"pem"}' }),
      ),
    );
    assert.deepEqual(secrets.get(ARN), { username: 'a', password: 'b' });
    assert.equal(
      secrets.get('arn:aws:secretsmanager:us-east-1:123456789012:secret:kafka-ca-AbCdEf'),
      '{"certificate":"pem"}',
    );
    assert.equal(secrets.get('arn:aws:secretsmanager:us-east-1:123456789012:secret:other'), undefined);
  });

  it('reads the file once, when the first secret is needed', () => {
    const path = file('later.json', '{}');
    const secrets = fileSecrets(path);
    writeFileSync(path, JSON.stringify({ [ARN]: 'first' }));
    assert.equal(secrets.get(ARN), 'first');
    writeFileSync(path, '{}');
    assert.equal(secrets.get(ARN), 'first');
  });

  it('a missing file names the secret, the path and how to create it or choose another', () => {
    const path = join(dir, 'absent', 'secrets.json');
    assert.throws(
      () => fileSecrets(path).get(ARN),
      new RegExp(
        `^Error: secret ${ARN} cannot be read: offline, secrets come from the secrets file ${path}, which does not exist; create it .* as \\{"${ARN}": <the secret's JSON>, \\.\\.\\.\\}, or name another one with SERVERLESS_OFFLINE_KAFKA_SECRETS or custom\\.serverless-offline-kafka\\.secretsFile\\.$`,
      ),
    );
  });

  it('a malformed file says so with its path', () => {
    assert.throws(
      () => fileSecrets(file('bad.json', '{"a": "s3cret" ')).get(ARN),
      (error: Error) => {
        assert.match(
          error.message,
          /^the secrets file .*bad\.json is not JSON \(at line 1 column \d+\); write it as \{"arn:/,
        );
        assert.doesNotMatch(error.message, /s3cret/);
        return true;
      },
    );
    assert.throws(
      () => fileSecrets(file('list.json', '[]')).get(ARN),
      /^Error: the secrets file .*list\.json is not a JSON object/,
    );
    mkdirSync(join(dir, 'a-directory.json'));
    assert.throws(() => fileSecrets(join(dir, 'a-directory.json')).get(ARN), /EISDIR/);
  });
});
