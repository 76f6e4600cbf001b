import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../shared/config';

const kafka = (env: Record<string, string>) => loadConfig(env).kafka;
const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-user-AbCdEf';
const CA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-ca-AbCdEf';

describe('Kafka settings from the environment', () => {
  it('defaults to the local stack: plaintext, no authentication', () => {
    assert.deepEqual(kafka({}), {
      brokers: ['localhost:29092'],
      clientId: 'air-quality-pipeline',
      auth: { mode: 'none' },
      tls: false,
      caSecretArn: undefined,
    });
  });

  for (const mode of ['sasl-plain', 'sasl-scram-256', 'sasl-scram-512'] as const) {
    it(`${mode} reads the user from KAFKA_SECRET_ARN, over TLS by default`, () => {
      assert.deepEqual(kafka({ KAFKA_AUTH: mode, KAFKA_SECRET_ARN: ARN }), {
        brokers: ['localhost:29092'],
        clientId: 'air-quality-pipeline',
        auth: { mode, secretArn: ARN },
        tls: true,
        caSecretArn: undefined,
      });
    });
  }

  it('sasl-* takes KAFKA_SASL_USERNAME/PASSWORD instead of a secret (local development)', () => {
    assert.deepEqual(
      kafka({ KAFKA_AUTH: 'sasl-scram-512', KAFKA_SASL_USERNAME: 'alice', KAFKA_SASL_PASSWORD: ' pw with spaces ' })
        .auth,
      { mode: 'sasl-scram-512', localCredentials: { username: 'alice', password: ' pw with spaces ' } },
    );
  });

  it('KAFKA_TLS=false turns TLS off for SASL (e.g. a SASL_PLAINTEXT listener)', () => {
    assert.equal(kafka({ KAFKA_AUTH: 'sasl-plain', KAFKA_SECRET_ARN: ARN, KAFKA_TLS: 'false' }).tls, false);
  });

  it('KAFKA_TLS=true turns TLS on without authentication, with a private CA', () => {
    const settings = kafka({ KAFKA_TLS: 'TRUE', KAFKA_CA_SECRET_ARN: CA_ARN });
    assert.deepEqual([settings.auth, settings.tls, settings.caSecretArn], [{ mode: 'none' }, true, CA_ARN]);
  });

  it('a private CA without authentication turns TLS on by default (kafkaAuth=none with kafkaCaSecretArn in serverless.yml)', () => {
    const settings = kafka({ KAFKA_AUTH: 'none', KAFKA_CA_SECRET_ARN: CA_ARN });
    assert.deepEqual([settings.auth, settings.tls, settings.caSecretArn], [{ mode: 'none' }, true, CA_ARN]);
  });

  it('mtls reads the client certificate from KAFKA_SECRET_ARN', () => {
    const settings = kafka({ KAFKA_AUTH: 'mtls', KAFKA_SECRET_ARN: ARN, KAFKA_CA_SECRET_ARN: CA_ARN });
    assert.deepEqual(
      [settings.auth, settings.tls, settings.caSecretArn],
      [{ mode: 'mtls', secretArn: ARN }, true, CA_ARN],
    );
  });

  it('msk-iam signs in AWS_REGION over TLS', () => {
    const settings = kafka({
      KAFKA_AUTH: 'msk-iam',
      AWS_REGION: 'eu-central-1',
      KAFKA_BOOTSTRAP_SERVERS: 'b-1.x.kafka.eu-central-1.amazonaws.com:9098',
    });
    assert.deepEqual([settings.auth, settings.tls], [{ mode: 'msk-iam', region: 'eu-central-1' }, true]);
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    [
      'an unknown mode',
      { KAFKA_AUTH: 'scram' },
      /KAFKA_AUTH=scram is not a known mode; use one of none, sasl-plain, sasl-scram-256, sasl-scram-512, mtls, msk-iam/,
    ],
    [
      'sasl without a secret',
      { KAFKA_AUTH: 'sasl-scram-256' },
      /KAFKA_AUTH=sasl-scram-256 needs KAFKA_SECRET_ARN: the ARN of a Secrets Manager secret \{"username","password"\}/,
    ],
    [
      'sasl with only a username',
      { KAFKA_AUTH: 'sasl-plain', KAFKA_SASL_USERNAME: 'alice' },
      /only one of KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD; set both .*or set KAFKA_SECRET_ARN/,
    ],
    [
      'sasl with both a secret and direct credentials',
      { KAFKA_AUTH: 'sasl-plain', KAFKA_SECRET_ARN: ARN, KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' },
      /both set; keep KAFKA_SECRET_ARN/,
    ],
    [
      'direct credentials without sasl',
      { KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' },
      /only used with KAFKA_AUTH=sasl-\*, not none; unset them/,
    ],
    [
      'mtls without a secret',
      { KAFKA_AUTH: 'mtls' },
      /KAFKA_AUTH=mtls needs KAFKA_SECRET_ARN: .*"certificate","privateKey"/,
    ],
    [
      'mtls without TLS',
      { KAFKA_AUTH: 'mtls', KAFKA_SECRET_ARN: ARN, KAFKA_TLS: 'false' },
      /KAFKA_AUTH=mtls needs TLS; unset KAFKA_TLS or set it to true/,
    ],
    ['msk-iam without TLS', { KAFKA_AUTH: 'msk-iam', KAFKA_TLS: 'false' }, /KAFKA_AUTH=msk-iam needs TLS/],
    [
      'a secret msk-iam does not use',
      { KAFKA_AUTH: 'msk-iam', KAFKA_SECRET_ARN: ARN },
      /KAFKA_SECRET_ARN is not used with KAFKA_AUTH=msk-iam; unset it/,
    ],
    ['a secret without authentication', { KAFKA_SECRET_ARN: ARN }, /KAFKA_SECRET_ARN is not used with KAFKA_AUTH=none/],
    [
      'a CA with TLS turned off',
      { KAFKA_CA_SECRET_ARN: CA_ARN, KAFKA_TLS: 'false' },
      /KAFKA_CA_SECRET_ARN is set but KAFKA_TLS=false; enable TLS or unset KAFKA_CA_SECRET_ARN/,
    ],
    ['KAFKA_TLS not a boolean', { KAFKA_TLS: 'yes' }, /KAFKA_TLS=yes is neither true nor false; unset it to use false/],
  ];
  for (const [name, env, message] of bad) {
    it(`rejects ${name}, naming the variable and the fix`, () => {
      assert.throws(
        () => kafka(env),
        (error: Error) => error instanceof ConfigError && message.test(error.message),
      );
    });
  }
});
