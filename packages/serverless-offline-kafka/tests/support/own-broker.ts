/**
 * Brokers a test starts for itself: one it stops and starts again, one that enforces TLS and SASL. Starting a Kafka
 * broker (Java, the Kafka jars, storage formatting) is the host project's business, not this package's: the host names
 * a module that does it in SERVERLESS_OFFLINE_KAFKA_TEST_BROKERS. Without it, the tests that need one are skipped and
 * say how to run them.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const OWN_BROKERS_VARIABLE = 'SERVERLESS_OFFLINE_KAFKA_TEST_BROKERS';

/** A plaintext single-node broker on ports and a data directory of its own; not started until `start`. */
export interface PlaintextBroker {
  /** Its bootstrap address, e.g. `localhost:41234`. */
  brokers: string[];
  /** Starts it (formatting its storage the first time) without waiting for it to answer. */
  start(): Promise<void>;
  /** Stops it, keeping its data: `start` brings the same broker back. */
  stop(): Promise<void>;
  /** Stops it and deletes its data. */
  remove(): Promise<void>;
}

/** A started broker with a private CA, a SASL_SSL listener (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) and an mTLS one. */
export interface SecuredBroker {
  saslSslPort: number;
  /** An SSL listener that requires a client certificate signed by the CA. */
  mtlsPort: number;
  /** The user of every SASL mechanism. */
  user: { username: string; password: string };
  certificates: {
    caPem: string;
    clientPem: string;
    /** The client key encrypted with a PBES1 scheme, the only kind Lambda's event source mappings decrypt. */
    clientKeyPbes1Pem: string;
    clientKeyPassword: string;
  };
  stop(): Promise<void>;
}

/** What the module named by SERVERLESS_OFFLINE_KAFKA_TEST_BROKERS exports. */
interface OwnBrokers {
  plaintextBroker(name: string): Promise<PlaintextBroker>;
  startSecuredBroker(): Promise<SecuredBroker>;
}

const modulePath = process.env[OWN_BROKERS_VARIABLE];

/** Why the tests that start a broker of their own are skipped, or false when they can run. */
export const noOwnBrokersReason =
  !modulePath &&
  `${OWN_BROKERS_VARIABLE} is not set: name a module that starts Kafka brokers (see tests/support/own-broker.ts); ` +
    'the air-quality-pipeline repo sets it to its tests/support/emulator-brokers.ts when it runs these tests';

export async function ownBrokers(): Promise<OwnBrokers> {
  if (!modulePath) throw new Error(String(noOwnBrokersReason));
  const path = isAbsolute(modulePath) ? modulePath : resolve(modulePath);
  return (await import(pathToFileURL(path).href)) as OwnBrokers;
}
