import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startKafkaBroker } from '../../stack/native-kafka';
import { ManagedProcess } from '../../stack/processes';
import { makeTestCertificates, type TestCertificates } from './certificates';

export interface SecuredBroker {
  /** SASL_SSL listener with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, each for `user`. */
  saslSslPort: number;
  /** SSL listener that requires a client certificate signed by the CA. */
  mtlsPort: number;
  /** The user of every SASL mechanism (SCRAM credentials created at format time). */
  user: { username: string; password: string };
  certificates: TestCertificates;
  stop(): Promise<void>;
}

/** Free ports on 127.0.0.1, held together so they differ. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * A KRaft broker of its own (not the shared stack's) under a temp dir, on free ports, with a private
 * CA, a SASL_SSL listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and an SSL listener requiring client certificates.
 */
export async function startSecuredBroker(): Promise<SecuredBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-auth-'));
  const certificates = makeTestCertificates(dir);
  const [controllerPort, plaintextPort, saslSslPort, mtlsPort] = (await freePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const user = { username: 'pipeline', password: 'scram-test-password' };
  const broker = new ManagedProcess('kafka-auth-test', 'kafka.Kafka', {
    runDir: join(dir, 'run'),
    logDir: join(dir, 'logs'),
  });
  const stop = async () => {
    await broker.stop(10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  await startKafkaBroker({
    process: broker,
    stateDir: dir,
    controllerPort,
    // The broker talks to itself on loopback plaintext; clients use the secured listeners.
    listeners: [
      { name: 'INTERNAL', port: plaintextPort, protocol: 'PLAINTEXT' },
      { name: 'SASL_SSL', port: saslSslPort, protocol: 'SASL_SSL' },
      { name: 'MTLS', port: mtlsPort, protocol: 'SSL' },
    ],
    properties: {
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      'listener.name.sasl_ssl.plain.sasl.jaas.config': `org.apache.kafka.common.security.plain.PlainLoginModule required user_${user.username}="${user.password}";`,
      'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config':
        'org.apache.kafka.common.security.scram.ScramLoginModule required;',
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': certificates.brokerKeystore,
      'ssl.keystore.password': certificates.keystorePassword,
      'ssl.key.password': certificates.keystorePassword,
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': certificates.caFile,
      'listener.name.mtls.ssl.client.auth': 'required',
    },
    formatArgs: ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((mechanism) => [
      '--add-scram',
      `${mechanism}=[name=${user.username},password=${user.password}]`,
    ]),
  });
  const deadline = Date.now() + 60_000;
  while (!((await portOpen(saslSslPort)) && (await portOpen(mtlsPort)))) {
    if (broker.pid() === undefined || Date.now() > deadline) {
      const log = broker.tail(40);
      await stop();
      throw new Error(`the test broker did not open its listeners:\n${log}`);
    }
    await sleep(200);
  }
  return { saslSslPort, mtlsPort, user, certificates, stop };
}
