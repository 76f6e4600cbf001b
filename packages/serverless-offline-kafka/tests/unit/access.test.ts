import assert from 'node:assert/strict';
import { generateKeyPairSync, type ECKeyPairOptions } from 'node:crypto';
import { describe, it } from 'node:test';
import { accessFailureHint, brokerAccess, KafkaAccessError, mappingAccess, type SecretSource } from '../../src/access';
import { readMappings } from '../../src/config';

const ARN = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`;
const USER = ARN('kafka-user-AbCdEf');
const CLIENT = ARN('kafka-client-AbCdEf');
const CA = ARN('kafka-ca-AbCdEf');
const CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';

const ecKey = (encoding: ECKeyPairOptions<'pem', 'pem'>['privateKeyEncoding']) =>
  generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: encoding,
  }).privateKey;
const PKCS8_KEY = ecKey({ type: 'pkcs8', format: 'pem' });
/** Node encrypts PKCS #8 keys with PBES2. */
const PBES2_KEY = ecKey({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' });
const SEC1_KEY = ecKey({ type: 'sec1', format: 'pem' });
/**
 * The head of an EncryptedPrivateKeyInfo under pbeWithSHAAnd3-KeyTripleDES-CBC (1.2.840.113549.1.12.1.3), a PBES1-style
 * scheme, as `openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES` writes it (the tests/integration broker test uses a real one).
 */
const PBES1_KEY = `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${Buffer.from('308204ea301c060a2a864886f70d010c0103300e0408deadbeefdeadbeef020208000482', 'hex').toString('base64')}\n-----END ENCRYPTED PRIVATE KEY-----\n`;

const secretsOf = (values: Record<string, unknown>): SecretSource => ({
  location: 'secrets.json',
  get: (arn) => values[arn],
});
const secrets = secretsOf({
  [USER]: { username: 'alice', password: 's3cret' },
  [CLIENT]: { certificate: CERTIFICATE, privateKey: PBES1_KEY, privateKeyPassword: 'pw' },
  [CA]: JSON.stringify({ certificate: CERTIFICATE }),
});
const WHERE = 'functions.f.events[0].kafka.accessConfigurations';
const access = (configurations: unknown, store = secrets) => brokerAccess(configurations, WHERE, store);
const refused = (configurations: unknown, pattern: RegExp, store = secrets) =>
  assert.throws(
    () => access(configurations, store),
    (error: Error) => error instanceof KafkaAccessError && pattern.test(error.message),
  );

describe('brokerAccess (accessConfigurations → kafkajs ssl/sasl)', () => {
  it('connects in plaintext without authentication; VPC placement changes nothing locally', () => {
    assert.equal(access({}), undefined);
    assert.equal(access({ vpcSubnet: ['subnet-1'], vpcSecurityGroup: ['sg-1'] }), undefined);
  });

  it('SASL/PLAIN and SCRAM-256/512 always over TLS (SASL_SSL), with the user from the secret', () => {
    for (const [key, mechanism] of [
      ['saslPlainAuth', 'plain'],
      ['saslScram256Auth', 'scram-sha-256'],
      ['saslScram512Auth', 'scram-sha-512'],
    ] as const) {
      assert.deepEqual(access({ [key]: [USER] }), {
        ssl: true,
        sasl: { mechanism, username: 'alice', password: 's3cret' },
        origin: { where: WHERE, secretsLocation: 'secrets.json', authenticationSecret: USER },
      });
    }
  });

  it('trusts the server root CA from its secret (stored as JSON text, as Secrets Manager does)', () => {
    assert.deepEqual(access({ saslScram512Auth: [USER], serverRootCaCertificate: [CA] })?.ssl, { ca: [CERTIFICATE] });
    assert.deepEqual(
      access({ serverRootCaCertificate: [CA] }),
      { ssl: { ca: [CERTIFICATE] }, origin: { where: WHERE, secretsLocation: 'secrets.json' } },
      'a root CA alone: TLS without client authentication',
    );
  });

  it('mTLS: the certificate chain, the PKCS #8 key and its password, plus the root CA', () => {
    assert.deepEqual(access({ clientCertificateTlsAuth: [CLIENT], serverRootCaCertificate: [CA] })?.ssl, {
      ca: [CERTIFICATE],
      cert: CERTIFICATE,
      key: PBES1_KEY,
      passphrase: 'pw',
    });
    const plainKey = secretsOf({ [CLIENT]: { certificate: CERTIFICATE, privateKey: PKCS8_KEY } });
    assert.deepEqual(access({ clientCertificateTlsAuth: [CLIENT] }, plainKey)?.ssl, {
      cert: CERTIFICATE,
      key: PKCS8_KEY,
    });
    assert.equal(access({ clientCertificateTlsAuth: [CLIENT] }, plainKey)?.sasl, undefined);
  });

  it('refuses combinations Lambda does not take, naming the event path', () => {
    refused(
      { saslPlainAuth: [USER], saslScram512Auth: [USER] },
      /^functions\.f\.events\[0\]\.kafka\.accessConfigurations: saslPlainAuth and saslScram512Auth together; .* keep one/,
    );
    refused(
      { saslScram512Auth: [USER], clientCertificateTlsAuth: [CLIENT] },
      /saslScram512Auth and clientCertificateTlsAuth together/,
    );
    refused({ saslScram512Auth: [USER, USER] }, /accessConfigurations\.saslScram512Auth: 2 secrets; Lambda takes one/);
    refused(
      { saslScram1024Auth: [USER] },
      /accessConfigurations\.saslScram1024Auth is not an access configuration osls knows; use saslPlainAuth, /,
    );
    refused({ saslScram512Auth: USER }, /saslScram512Auth must be a non-empty list of Secrets Manager ARNs/);
    refused([USER], /accessConfigurations must be an object of lists/);
  });

  it('refuses secrets that are missing or not in the format Lambda reads, with the ARN, where it looked and the format', () => {
    refused(
      { saslScram512Auth: [ARN('other')] },
      /saslScram512Auth: secret arn:.*:secret:other is not in secrets\.json; add "arn:.*other": \{"username": "\.\.\.", "password": "\.\.\."\} to it/,
    );
    refused(
      { saslScram512Auth: [USER] },
      /secret .*kafka-user-AbCdEf has no "password"; set ".*kafka-user-AbCdEf" in secrets\.json to \{"username"/,
      secretsOf({ [USER]: { username: 'alice' } }),
    );
    refused({ saslScram512Auth: [USER] }, /is text that is not JSON/, secretsOf({ [USER]: 'alice:s3cret' }));
    refused({ saslScram512Auth: [USER] }, /is not a JSON object/, secretsOf({ [USER]: ['alice'] }));
    const client = (fields: Record<string, unknown>) =>
      secretsOf({ [CLIENT]: { certificate: CERTIFICATE, privateKey: PKCS8_KEY, ...fields } });
    refused(
      { clientCertificateTlsAuth: [CLIENT] },
      /has a "certificate" without a PEM certificate/,
      client({ certificate: 'MIIB' }),
    );
    refused({ clientCertificateTlsAuth: [CLIENT] }, /has no "privateKey"/, client({ privateKey: undefined }));
    refused(
      { clientCertificateTlsAuth: [CLIENT] },
      /has an encrypted "privateKey" but no "privateKeyPassword"/,
      client({ privateKey: PBES1_KEY }),
    );
    refused(
      { clientCertificateTlsAuth: [CLIENT] },
      /"privateKey" that is not PKCS #8 .*openssl pkcs8 -topk8/,
      client({ privateKey: SEC1_KEY }),
    );
    refused(
      { clientCertificateTlsAuth: [CLIENT] },
      /encrypted with PBES2, which Lambda cannot decrypt .*-v1 PBE-SHA1-3DES/,
      client({ privateKey: PBES2_KEY, privateKeyPassword: 'pw' }),
    );
    refused(
      { serverRootCaCertificate: [CA] },
      /serverRootCaCertificate: secret .*kafka-ca-AbCdEf has no "certificate"; .*\{"certificate": "<PEM of the root CA>"\}/,
      secretsOf({ [CA]: { cert: CERTIFICATE } }),
    );
  });

  it('prefixes a store that cannot be read with the event path', () => {
    const broken: SecretSource = {
      location: 'x.json',
      get: () => {
        throw new Error('the secrets file x.json is not JSON');
      },
    };
    refused(
      { saslPlainAuth: [USER] },
      /^functions\.f\.events\[0\]\.kafka\.accessConfigurations\.saslPlainAuth: the secrets file x\.json is not JSON$/,
      broken,
    );
  });
});

describe('mappingAccess (kafka and msk events, the local override)', () => {
  const run = (kind: 'kafka' | 'msk', event: Record<string, unknown>, override?: Record<string, string[]>) => {
    const warnings: string[] = [];
    const result = mappingAccess(kind, event, `functions.f.events[0].${kind}`, {
      override,
      secrets,
      warn: (line) => warnings.push(line),
    });
    return { ...result, warnings };
  };

  it('a kafka event uses its accessConfigurations; plaintext spreads nothing into the mapping', () => {
    assert.equal(run('kafka', { accessConfigurations: { saslPlainAuth: [USER] } }).access?.sasl?.mechanism, 'plain');
    assert.deepEqual(run('kafka', { accessConfigurations: { vpcSubnet: ['subnet-1'], vpcSecurityGroup: ['sg-1'] } }), {
      warnings: [],
    });
  });

  it("an msk event's saslScram512 is SCRAM-512 over TLS; without it (IAM in AWS) a parity warning and plaintext", () => {
    assert.deepEqual(run('msk', { saslScram512: USER }).access?.sasl, {
      mechanism: 'scram-sha-512',
      username: 'alice',
      password: 's3cret',
    });
    const iam = run('msk', {});
    assert.equal(iam.access, undefined);
    assert.match(
      iam.warnings.join(),
      /^functions\.f\.events\[0\]\.msk: in AWS, Lambda authenticates .* IAM role .*connects without TLS or authentication/,
    );
    assert.throws(
      () => run('msk', { saslScram512: ARN('gone') }),
      /^KafkaAccessError: functions\.f\.events\[0\]\.msk\.saslScram512: secret .*gone is not in secrets\.json/,
    );
  });

  it("custom.serverless-offline-kafka.accessConfigurations is the local broker's access for every event ({}: plaintext)", () => {
    assert.deepEqual(run('kafka', { accessConfigurations: { saslScram512Auth: [ARN('cloud-only')] } }, {}), {
      warnings: [],
    });
    assert.deepEqual(run('msk', {}, {}), { warnings: [] }, 'no IAM warning: the local broker is declared');
    assert.equal(run('msk', {}, { saslScram256Auth: [USER] }).access?.sasl?.mechanism, 'scram-sha-256');
    assert.throws(
      () => run('kafka', {}, { saslPlainAuth: [USER], saslScram256Auth: [USER] }),
      /^KafkaAccessError: custom\.serverless-offline-kafka\.accessConfigurations: saslPlainAuth and saslScram256Auth together/,
    );
  });

  it("readMappings fills each mapping's access and fails on a missing secret with the event path", () => {
    const service = (accessConfigurations: unknown) => ({
      service: 's',
      stage: 'local',
      functions: { f: { events: [{ kafka: { topic: 't', bootstrapServers: ['b:9096'], accessConfigurations } }] } },
    });
    const [mapping] = readMappings(
      service({ saslScram512Auth: [USER], serverRootCaCertificate: [CA] }),
      {},
      secrets,
    ).mappings;
    assert.deepEqual(mapping!.access?.ssl, { ca: [CERTIFICATE] });
    assert.equal(mapping!.access?.sasl?.mechanism, 'scram-sha-512');
    assert.throws(
      () => readMappings(service({ saslScram256Auth: [ARN('missing')] }), {}, secrets),
      /^KafkaAccessError: functions\.f\.events\[0\]\.kafka\.accessConfigurations\.saslScram256Auth: secret .*missing is not in secrets\.json/,
    );
  });
});

describe('accessFailureHint', () => {
  const sasl = access({ saslScram512Auth: [USER] });
  const withCode = (code: string) =>
    new Error('Connection error', { cause: Object.assign(new Error('socket'), { code }) });
  const named = (name: string) => Object.assign(new Error('SASL SCRAM SHA512 authentication failed'), { name });

  it('names the secret to check when the broker rejects the credentials', () => {
    assert.match(
      accessFailureHint(sasl, named('KafkaJSSASLAuthenticationError')),
      /rejected the credentials of secret .*kafka-user-AbCdEf \(functions\.f\.events\[0\]\.kafka\.accessConfigurations\) in secrets\.json: check its username and password, .*scram-sha-512/,
    );
  });

  it('points at serverRootCaCertificate when the broker certificate is not trusted', () => {
    assert.match(
      accessFailureHint(sasl, withCode('SELF_SIGNED_CERT_IN_CHAIN')),
      /not trusted: .*add serverRootCaCertificate: \[<secret ARN>\] to the access configurations \(functions\.f\.events\[0\]\.kafka\.accessConfigurations\)/,
    );
  });

  it('tells a refused client certificate from a missing one', () => {
    assert.match(
      accessFailureHint(
        access({ clientCertificateTlsAuth: [CLIENT] }),
        withCode('ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE'),
      ),
      /refused the client certificate of secret .*kafka-client-AbCdEf/,
    );
    assert.match(
      accessFailureHint(
        access({ serverRootCaCertificate: [CA] }),
        withCode('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'),
      ),
      /requires a client certificate: declare clientCertificateTlsAuth in functions\.f/,
    );
  });

  it('says nothing for plaintext mappings or other failures', () => {
    assert.equal(accessFailureHint(undefined, named('KafkaJSSASLAuthenticationError')), '');
    assert.equal(accessFailureHint(sasl, withCode('ECONNREFUSED')), '');
  });
});
