import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadConfig, type KafkaSettings } from '../../shared/config';
import { Kafka, logLevel } from 'kafkajs';
import { createKafka, kafkaFailureHint, kafkaSecurity } from '../../shared/kafka';
import { BrokerUnavailableError, KafkaMessageProducer } from '../../shared/producer';
import type { SecretReader } from '../../shared/secrets';
import { createTopics, deleteTopics, endOffsets, messagesBetween, withAdmin } from '../support/kafka';
import { startSecuredBroker, type SecuredBroker } from '../support/secured-kafka';
import { ensureTopics } from '../../stack/provision';

const USER_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-user';
const WRONG_USER_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-user-wrong';
const CLIENT_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-client';
const CA_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-ca';

/** Secrets Manager is not reachable here: its secrets, in Lambda's formats, from memory. */
const secretsOf = (values: Record<string, unknown>): SecretReader => ({
  async read(secretArn) {
    if (!(secretArn in values)) throw new Error(`no secret ${secretArn}`);
    return JSON.stringify(values[secretArn]);
  },
});

let broker: SecuredBroker;
let secrets: SecretReader;

/** Produces through the functions' producer, then consumes what it wrote with a client of the same settings. */
async function roundTrip(settings: KafkaSettings): Promise<void> {
  const kafka = await createKafka(settings, 'auth-test', secrets);
  const topic = `auth-test-${randomUUID().slice(0, 8)}`;
  await createTopics(kafka, [topic], 2);
  try {
    const from = await endOffsets(kafka, topic);
    const producer = new KafkaMessageProducer(settings, 'auth-test', secrets);
    const sent = [1, 2, 3].map((i) => ({ key: `station-${i}`, value: JSON.stringify({ i }) }));
    try {
      await producer.send(topic, sent);
    } finally {
      await producer.disconnect();
    }
    const received = await messagesBetween(kafka, topic, from, await endOffsets(kafka, topic));
    assert.deepEqual(
      received
        .map((m) => ({ key: m.message.key!.toString(), value: m.message.value!.toString() }))
        .sort((a, b) => a.key.localeCompare(b.key)),
      sent,
    );
  } finally {
    await deleteTopics(kafka, [topic]);
  }
}

const sendOne = async (settings: KafkaSettings): Promise<void> => {
  const producer = new KafkaMessageProducer(settings, 'auth-test', secrets);
  try {
    await producer.send('any-topic', [{ key: 'k', value: 'v' }]);
  } finally {
    await producer.disconnect();
  }
};

/**
 * One connection attempt with the kafkajs options the settings map to, and what failed. No retries:
 * these failures are for good, and createKafka's retries would only make the test slow.
 */
async function connectionFailure(settings: KafkaSettings): Promise<Error> {
  const admin = new Kafka({
    clientId: 'auth-test',
    brokers: settings.brokers,
    ...(await kafkaSecurity(settings, secrets)),
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
  } catch (error) {
    return error as Error;
  } finally {
    await admin.disconnect();
  }
  throw new Error(`connected to ${settings.brokers.join(',')} although it should have failed`);
}

// The broker runs natively (also when the stack runs in Docker): Java and openssl are needed.
const missingTool = ['java', 'openssl'].find((tool) => spawnSync('which', [tool]).status !== 0);

describe("the functions' Kafka client against a broker that requires authentication", {
  skip: missingTool && `${missingTool} not found: install Java 17+ and openssl to run this test's own broker`,
}, () => {
  before(async () => {
    broker = await startSecuredBroker();
    const { user, certificates } = broker;
    secrets = secretsOf({
      [USER_ARN]: user,
      [WRONG_USER_ARN]: { ...user, password: 'not-the-password' },
      [CLIENT_ARN]: {
        certificate: certificates.clientPem,
        privateKey: certificates.clientKeyPem,
        privateKeyPassword: certificates.clientKeyPassword,
      },
      [CA_ARN]: { certificate: certificates.caPem },
    });
  });

  after(async () => {
    await broker?.stop();
  });

  const scram = (env: Record<string, string> = {}) =>
    loadConfig({
      KAFKA_BOOTSTRAP_SERVERS: `localhost:${broker.saslSslPort}`,
      KAFKA_AUTH: 'sasl-scram-512',
      KAFKA_CA_SECRET_ARN: CA_ARN,
      ...env,
    }).kafka;
  const mtls = (env: Record<string, string> = {}) =>
    loadConfig({
      KAFKA_BOOTSTRAP_SERVERS: `localhost:${broker.mtlsPort}`,
      KAFKA_AUTH: 'mtls',
      KAFKA_SECRET_ARN: CLIENT_ARN,
      KAFKA_CA_SECRET_ARN: CA_ARN,
      ...env,
    }).kafka;

  it('sasl-scram-512 over TLS with the private CA: admin, produce and consume with the user from the secret', async () => {
    await roundTrip(scram({ KAFKA_SECRET_ARN: USER_ARN }));
  });

  it('npm run kafka:topics provisions the pipeline topics on the authenticated cluster (ensureTopics), idempotently', async () => {
    const run = randomUUID().slice(0, 8);
    const env = {
      KAFKA_AUTH: 'sasl-scram-512',
      KAFKA_SECRET_ARN: USER_ARN,
      KAFKA_TOPIC_READINGS: `readings-${run}`,
      KAFKA_TOPIC_DLQ: `readings-${run}.dlq`,
      KAFKA_TOPIC_PREDICTIONS: `predictions-${run}`,
    };
    const config = { ...loadConfig(env), kafka: scram(env) };
    const wanted = [`readings-${run}`, `readings-${run}.dlq`, `predictions-${run}`];
    assert.deepEqual(await ensureTopics(config, { secrets }), wanted);
    assert.deepEqual(await ensureTopics(config, { secrets }), [], 'a second run creates nothing');
    const kafka = await createKafka(config.kafka, 'auth-test', secrets);
    const { topics } = await withAdmin(kafka, (admin) => admin.fetchTopicMetadata({ topics: wanted }));
    await deleteTopics(kafka, wanted);
    assert.deepEqual(
      topics.map((t) => t.partitions.length),
      [3, 3, 3],
    );
  });

  it('sasl-scram-512 with KAFKA_SASL_USERNAME/PASSWORD (local development) instead of the secret', async () => {
    await roundTrip(scram({ KAFKA_SASL_USERNAME: broker.user.username, KAFKA_SASL_PASSWORD: broker.user.password }));
  });

  it('a wrong password is refused with an error that points at the secret', async () => {
    await assert.rejects(sendOne(scram({ KAFKA_SECRET_ARN: WRONG_USER_ARN })), (error: Error) => {
      assert.ok(error instanceof BrokerUnavailableError, error.message);
      assert.match(
        error.message,
        /rejected the credentials \(KAFKA_AUTH=sasl-scram-512\): check the username and password in the secret .*kafka-user-wrong/,
      );
      assert.doesNotMatch(error.message, /not-the-password/);
      return true;
    });
  });

  it('without the private CA the broker certificate is not trusted, and the hint says to set KAFKA_CA_SECRET_ARN', async () => {
    const settings = scram({ KAFKA_SECRET_ARN: USER_ARN, KAFKA_CA_SECRET_ARN: '' });
    const error = await connectionFailure(settings);
    assert.match(error.message, /self-signed certificate/);
    assert.match(kafkaFailureHint(error, settings), /not trusted: .*set KAFKA_CA_SECRET_ARN/);
  });

  it('mtls: admin, produce and consume with the client certificate and its encrypted key from the secret', async () => {
    await roundTrip(mtls());
  });

  it('the mtls listener refuses a client without a certificate, and the hint names KAFKA_AUTH=mtls', async () => {
    const settings = loadConfig({
      KAFKA_BOOTSTRAP_SERVERS: `localhost:${broker.mtlsPort}`,
      KAFKA_TLS: 'true',
      KAFKA_CA_SECRET_ARN: CA_ARN,
    }).kafka;
    const error = await connectionFailure(settings);
    assert.match(error.message, /bad certificate|certificate required/);
    assert.match(kafkaFailureHint(error, settings), /refused this client's TLS handshake: .*KAFKA_AUTH=mtls/);
  });
});
