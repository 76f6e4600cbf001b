import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  KafkaJSConnectionError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSProtocolError,
  type SASLOptions,
} from 'kafkajs';
import { loadConfig } from '../../../shared/config';
import { kafkaFailureHint, kafkaSecurity } from '../../../shared/kafka';
import { SecretError, type SecretReader } from '../../../shared/secrets';

const USER_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-user-AbCdEf';
const CERT_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-client-AbCdEf';
const CA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-ca-AbCdEf';
const CA_PEM = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
const CLIENT_PEM =
  '-----BEGIN CERTIFICATE-----\nLEAF\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nINTERMEDIATE\n-----END CERTIFICATE-----\n';
const KEY_PEM = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nKEY\n-----END ENCRYPTED PRIVATE KEY-----\n';

/** Secrets Manager stand-in: secret text by ARN. */
class FakeSecrets implements SecretReader {
  constructor(private readonly secrets: Record<string, string>) {}
  async read(secretArn: string): Promise<string> {
    const secret = this.secrets[secretArn];
    if (secret === undefined) throw new SecretError(`no secret ${secretArn}`);
    return secret;
  }
}

const secrets = new FakeSecrets({
  [USER_ARN]: JSON.stringify({ username: 'pipeline', password: 's3cret-value' }),
  [CERT_ARN]: JSON.stringify({ certificate: CLIENT_PEM, privateKey: KEY_PEM, privateKeyPassword: 'key-pass' }),
  [CA_ARN]: JSON.stringify({ certificate: CA_PEM }),
});
const security = (env: Record<string, string>, reader: SecretReader = secrets) =>
  kafkaSecurity(loadConfig(env).kafka, reader);

describe('Kafka settings and secrets to kafkajs options', () => {
  it('none: plaintext, no SASL', async () => {
    assert.deepEqual(await security({}), { sasl: undefined });
  });

  for (const [mode, mechanism] of [
    ['sasl-plain', 'plain'],
    ['sasl-scram-256', 'scram-sha-256'],
    ['sasl-scram-512', 'scram-sha-512'],
  ] as const) {
    it(`${mode}: mechanism ${mechanism} with the secret's user, over TLS with public CAs`, async () => {
      assert.deepEqual(await security({ KAFKA_AUTH: mode, KAFKA_SECRET_ARN: USER_ARN }), {
        ssl: {},
        sasl: { mechanism, username: 'pipeline', password: 's3cret-value' },
      });
    });
  }

  it('sasl with a private CA and local credentials', async () => {
    assert.deepEqual(
      await security({
        KAFKA_AUTH: 'sasl-scram-512',
        KAFKA_SASL_USERNAME: 'alice',
        KAFKA_SASL_PASSWORD: 'pw',
        KAFKA_CA_SECRET_ARN: CA_ARN,
      }),
      {
        ssl: { ca: [CA_PEM] },
        sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'pw' },
      },
    );
  });

  it('sasl over plaintext when KAFKA_TLS=false', async () => {
    assert.deepEqual(await security({ KAFKA_AUTH: 'sasl-plain', KAFKA_SECRET_ARN: USER_ARN, KAFKA_TLS: 'false' }), {
      sasl: { mechanism: 'plain', username: 'pipeline', password: 's3cret-value' },
    });
  });

  it('mtls: the client certificate chain, key and key password, with the CA', async () => {
    assert.deepEqual(await security({ KAFKA_AUTH: 'mtls', KAFKA_SECRET_ARN: CERT_ARN, KAFKA_CA_SECRET_ARN: CA_ARN }), {
      ssl: { ca: [CA_PEM], cert: CLIENT_PEM, key: KEY_PEM, passphrase: 'key-pass' },
      sasl: undefined,
    });
  });

  it('msk-iam: an OAUTHBEARER token presigned for kafka-cluster:Connect in the region, over TLS', async () => {
    const options = await security({ KAFKA_AUTH: 'msk-iam', AWS_REGION: 'eu-west-1' });
    assert.deepEqual(options.ssl, {});
    const sasl = options.sasl as Extract<SASLOptions, { mechanism: 'oauthbearer' }>;
    assert.equal(sasl.mechanism, 'oauthbearer');
    // The signer uses the default credential chain; static example credentials are enough to sign (nothing is sent).
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, key: process.env.AWS_SECRET_ACCESS_KEY };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
    });
    try {
      const url = new URL(Buffer.from((await sasl.oauthBearerProvider()).value, 'base64url').toString());
      assert.equal(url.host, 'kafka.eu-west-1.amazonaws.com');
      assert.equal(url.searchParams.get('Action'), 'kafka-cluster:Connect');
      assert.match(
        url.searchParams.get('X-Amz-Credential') ?? '',
        /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/,
      );
    } finally {
      for (const [name, value] of [
        ['AWS_ACCESS_KEY_ID', saved.id],
        ['AWS_SECRET_ACCESS_KEY', saved.key],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  const badSecrets: [string, Record<string, string>, string, RegExp][] = [
    [
      'not JSON',
      { KAFKA_AUTH: 'sasl-plain', KAFKA_SECRET_ARN: USER_ARN },
      'user:s3cret-value',
      /The secret .*kafka-user-AbCdEf is not JSON; set its value to \{"username": "...", "password": "..."\}/,
    ],
    [
      'a user without a password',
      { KAFKA_AUTH: 'sasl-plain', KAFKA_SECRET_ARN: USER_ARN },
      '{"username":"u","pass":"s3cret-value"}',
      /kafka-user-AbCdEf is not of the expected shape \(password: .*\); set its value to/,
    ],
    [
      'a certificate secret whose key is not PEM',
      { KAFKA_AUTH: 'mtls', KAFKA_SECRET_ARN: CERT_ARN },
      JSON.stringify({ certificate: CLIENT_PEM, privateKey: 's3cret-value' }),
      /kafka-client-AbCdEf is not of the expected shape \(privateKey: not a PEM private key/,
    ],
    [
      'a CA secret without a certificate',
      { KAFKA_TLS: 'true', KAFKA_CA_SECRET_ARN: CA_ARN },
      '{"ca":"s3cret-value"}',
      /kafka-ca-AbCdEf is not of the expected shape \(certificate: .*\); set its value to \{"certificate": "<PEM of the CA>"\}/,
    ],
  ];
  for (const [name, env, value, message] of badSecrets) {
    it(`a secret that is ${name} is named with the fix, and its value is not shown`, async () => {
      const arn = env.KAFKA_SECRET_ARN ?? env.KAFKA_CA_SECRET_ARN!;
      await assert.rejects(security(env, new FakeSecrets({ [arn]: value })), (error: Error) => {
        assert.ok(error instanceof SecretError, error.message);
        assert.match(error.message, message);
        assert.doesNotMatch(error.message, /s3cret-value/);
        return true;
      });
    });
  }

  it("an unreadable secret fails with the reader's error", async () => {
    await assert.rejects(
      security({ KAFKA_AUTH: 'mtls', KAFKA_SECRET_ARN: CERT_ARN }, new FakeSecrets({})),
      /no secret .*kafka-client-AbCdEf/,
    );
  });
});

describe('kafkaFailureHint', () => {
  const scram = loadConfig({ KAFKA_AUTH: 'sasl-scram-512', KAFKA_SECRET_ARN: USER_ARN }).kafka;
  // As kafkajs reports them: the connection error carries the socket's code, wrapped once its retries are used up.
  const connectionError = (message: string, code?: string) =>
    new KafkaJSNumberOfRetriesExceeded(
      Object.assign(new KafkaJSConnectionError(`Connection error: ${message}`), { code }),
      { retryCount: 8, retryTime: 5000 },
    );
  const authenticationError = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: invalid credentials'), {
    name: 'KafkaJSSASLAuthenticationError',
  });

  it('blames the size limit, not reachability, when the broker refuses a batch as too large', () => {
    // What kafkajs throws for the broker's error code 10 (MESSAGE_TOO_LARGE).
    const tooLarge = new KafkaJSProtocolError(
      Object.assign(
        new Error('The request included a message larger than the max message size the server will accept'),
        { type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false },
      ),
    );
    const hint = kafkaFailureHint(tooLarge, loadConfig({}).kafka);
    assert.match(hint, /refused a record batch over its message\.max\.bytes/);
    assert.doesNotMatch(hint, /Is Kafka running/);
  });

  it('points at the secret when the broker rejects the credentials', () => {
    assert.match(
      kafkaFailureHint(authenticationError, scram),
      /rejected the credentials \(KAFKA_AUTH=sasl-scram-512\): check the username and password in the secret .*kafka-user-AbCdEf/,
    );
  });

  it('points at the local variables when those carried the credentials', () => {
    const local = loadConfig({ KAFKA_AUTH: 'sasl-plain', KAFKA_SASL_USERNAME: 'a', KAFKA_SASL_PASSWORD: 'b' }).kafka;
    assert.match(kafkaFailureHint(authenticationError, local), /check KAFKA_SASL_USERNAME\/KAFKA_SASL_PASSWORD/);
  });

  it('points at KAFKA_CA_SECRET_ARN when the broker certificate is not trusted', () => {
    assert.match(
      kafkaFailureHint(
        connectionError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
        scram,
      ),
      /not trusted: .*set KAFKA_CA_SECRET_ARN/,
    );
  });

  it('points at KAFKA_AUTH=mtls when the broker wants a client certificate', () => {
    assert.match(
      kafkaFailureHint(
        connectionError('sslv3 alert bad certificate', 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'),
        loadConfig({ KAFKA_TLS: 'true' }).kafka,
      ),
      /requires a client certificate; set KAFKA_AUTH=mtls/,
    );
  });

  it('otherwise asks whether the broker runs and expects this kind of client', () => {
    assert.match(
      kafkaFailureHint(connectionError('connect ECONNREFUSED 127.0.0.1:29092', 'ECONNREFUSED'), loadConfig({}).kafka),
      /Is Kafka running.*without TLS or authentication\? Locally: npm run stack:up/,
    );
  });
});
