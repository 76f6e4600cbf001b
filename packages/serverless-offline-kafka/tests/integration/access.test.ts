/**
 * Mappings whose `accessConfigurations` require authentication, against a broker of the test's own that enforces
 * it (SASL_SSL with PLAIN and SCRAM, SSL with client certificates, a private CA), secrets from a secrets file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { readMappings } from '../../src/config';
import type { MappingSettings } from '../../src/mapping';
import { Harness, numbered, waitFor, withAdmin } from '../support/kafka';
import { noOwnBrokersReason, ownBrokers, type SecuredBroker } from '../support/own-broker';

const ARN = (name: string) => `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}`;
const USER = ARN('kafka-user-Ab12Cd');
const WRONG_USER = ARN('kafka-user-wrong-Ef34Gh');
const CLIENT = ARN('kafka-client-Ij56Kl');
const CA = ARN('kafka-ca-Mn78Op');

// The broker runs natively: Java and openssl are needed.
const missingTool = ['java', 'openssl'].find((tool) => spawnSync('which', [tool]).status !== 0);

describe('mappings that authenticate to the broker as their accessConfigurations declare', {
  skip:
    noOwnBrokersReason ||
    (missingTool && `${missingTool} not found: install Java 17+ and openssl to run this test's own broker`),
}, () => {
  let broker: SecuredBroker;
  let dir: string;
  let secretsFile: string;
  let admin: Kafka;
  /** One fresh topic per test, created up front. */
  const topics = Array.from({ length: 7 }, () => `offline-kafka-access-${randomUUID().slice(0, 8)}`);

  before(async () => {
    broker = await (await ownBrokers()).startSecuredBroker();
    const { user, certificates } = broker;
    dir = mkdtempSync(join(tmpdir(), 'offline-kafka-access-'));
    secretsFile = join(dir, 'secrets.json');
    // The secrets as Lambda reads them from Secrets Manager; the CA one as JSON text, as Secrets Manager stores it.
    writeFileSync(
      secretsFile,
      JSON.stringify({
        [USER]: user,
        [WRONG_USER]: { ...user, password: 'not-the-password' },
        [CLIENT]: {
          certificate: certificates.clientPem,
          privateKey: certificates.clientKeyPbes1Pem,
          privateKeyPassword: certificates.clientKeyPassword,
        },
        [CA]: JSON.stringify({ certificate: certificates.caPem }),
      }),
    );
    admin = new Kafka({
      clientId: 'offline-kafka-access-test',
      brokers: [`localhost:${broker.saslSslPort}`],
      ssl: { ca: [certificates.caPem] },
      sasl: { mechanism: 'scram-sha-512', ...user },
      logLevel: logLevel.NOTHING,
    });
    await withAdmin(async (client) => {
      await client.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 2 })) });
      // A fresh broker may still answer UNKNOWN_TOPIC_OR_PARTITION for a topic it just created (kafkajs'
      // waitForLeaders then gives up): wait until its metadata has every topic with leaders.
      const ready = async () =>
        (await client.fetchTopicMetadata({ topics })).topics.every((t) => t.partitions.every((p) => p.leader >= 0));
      await waitFor('the test topics to have leaders', () => ready().catch(() => false));
    }, admin);
  });

  after(async () => {
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The mapping readMappings makes of one kafka event with these access configurations, on an unused topic of the test broker. */
  function mappingWith(port: number, accessConfigurations: Record<string, string[]>): MappingSettings {
    const topic = topics.pop()!;
    const event = {
      kafka: {
        topic,
        bootstrapServers: [`localhost:${port}`],
        accessConfigurations,
        maximumBatchingWindow: 0,
        startingPosition: 'TRIM_HORIZON',
      },
    };
    const { mappings } = readMappings(
      { service: 'access-test', stage: 'local', functions: { f: { events: [event] } } },
      { secretsFile },
    );
    return mappings[0]!;
  }

  /** Produces 6 records (with the admin's SCRAM user) and waits until the mapping's handler received them all. */
  async function receives(mapping: MappingSettings): Promise<void> {
    const harness = new Harness({ mapping });
    await harness.worker.start();
    try {
      const producer = admin.producer();
      await producer.connect();
      await producer.send({ topic: mapping.topic, messages: numbered(0, 6) });
      await producer.disconnect();
      await waitFor('6 records', () => harness.received().length === 6);
    } finally {
      await harness.worker.stop();
    }
    assert.deepEqual(
      harness.received().sort((a, b) => a - b),
      [0, 1, 2, 3, 4, 5],
    );
  }

  for (const key of ['saslPlainAuth', 'saslScram256Auth', 'saslScram512Auth']) {
    it(`${key}: SASL_SSL with the user from the secret, trusting the private CA from serverRootCaCertificate`, async () => {
      const mapping = mappingWith(broker.saslSslPort, { [key]: [USER], serverRootCaCertificate: [CA] });
      await receives(mapping);
    });
  }

  it('clientCertificateTlsAuth: mTLS with the certificate chain and the PBES1-encrypted key from the secret, plus the root CA', async () => {
    const mapping = mappingWith(broker.mtlsPort, { clientCertificateTlsAuth: [CLIENT], serverRootCaCertificate: [CA] });
    await receives(mapping);
  });

  it('a secret with a wrong password fails the start with its ARN, the secrets file and what to check', async () => {
    const harness = new Harness({
      mapping: mappingWith(broker.saslSslPort, { saslScram512Auth: [WRONG_USER], serverRootCaCertificate: [CA] }),
    });
    await assert.rejects(harness.worker.start(), (error: Error) => {
      assert.match(
        error.message,
        /cannot start the mapping .*authentication failed.*; the broker rejected the credentials of secret arn:.*:secret:kafka-user-wrong-Ef34Gh \(functions\.f\.events\[0\]\.kafka\.accessConfigurations\) in .*secrets\.json: check its username and password/,
      );
      assert.doesNotMatch(error.message, /not-the-password/);
      return true;
    });
    await harness.worker.stop();
    assert.deepEqual(harness.events, []);
  });

  it('without serverRootCaCertificate the private CA is not trusted, and the start says to declare it', async () => {
    const harness = new Harness({ mapping: mappingWith(broker.saslSslPort, { saslScram512Auth: [USER] }) });
    await assert.rejects(
      harness.worker.start(),
      /self-signed certificate.*; the broker's TLS certificate is not trusted: if a private CA signed it, add serverRootCaCertificate: \[<secret ARN>\] to the access configurations \(functions\.f\.events\[0\]\.kafka\.accessConfigurations\)/,
    );
    await harness.worker.stop();
  });

  it('a listener that requires a client certificate refuses TLS without one, and the start says to declare clientCertificateTlsAuth', async () => {
    const harness = new Harness({ mapping: mappingWith(broker.mtlsPort, { serverRootCaCertificate: [CA] }) });
    await assert.rejects(
      harness.worker.start(),
      /; the broker requires a client certificate: declare clientCertificateTlsAuth in functions\.f\.events\[0\]\.kafka\.accessConfigurations$/,
    );
    await harness.worker.stop();
  });
});
