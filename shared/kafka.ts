import type { ConnectionOptions } from 'node:tls';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { z } from 'zod';
import type { KafkaAuth, KafkaSettings } from './config';
import { SecretError, secretsManager, type SecretReader } from './secrets';
import { parseJsonText } from './validation';

/**
 * kafkajs client for the settings' brokers and authentication, with retries suited to a local broker
 * that may still be starting. Async because the credentials may live in Secrets Manager.
 */
export async function createKafka(
  settings: KafkaSettings,
  clientIdSuffix?: string,
  secrets: SecretReader = secretsManager(),
): Promise<Kafka> {
  return new Kafka({
    clientId: clientIdSuffix ? `${settings.clientId}-${clientIdSuffix}` : settings.clientId,
    brokers: settings.brokers,
    ...(await kafkaSecurity(settings, secrets)),
    logLevel: logLevel.ERROR,
    connectionTimeout: 3000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  });
}

// The secrets have the formats of Lambda's Kafka event source mapping, so one secret serves both.
const pem = (header: RegExp, what: string) => z.string().refine((text) => header.test(text), `not a PEM ${what}`);
const certificate = pem(/-----BEGIN CERTIFICATE-----/, 'certificate (-----BEGIN CERTIFICATE-----)');
const privateKey = pem(/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'private key (-----BEGIN PRIVATE KEY-----)');
const userSecret = z.object({ username: z.string().min(1), password: z.string().min(1) });
const clientCertificateSecret = z.object({ certificate, privateKey, privateKeyPassword: z.string().optional() });
const caSecret = z.object({ certificate });

const saslMechanisms = {
  'sasl-plain': 'plain',
  'sasl-scram-256': 'scram-sha-256',
  'sasl-scram-512': 'scram-sha-512',
} as const;

/** The `ssl` and `sasl` options of kafkajs for the settings, reading the secrets they name. */
export async function kafkaSecurity(
  settings: KafkaSettings,
  secrets: SecretReader,
): Promise<Pick<KafkaConfig, 'ssl' | 'sasl'>> {
  const { auth } = settings;
  if (!settings.tls) return { sasl: await sasl(auth, secrets) };
  const tls: ConnectionOptions = {};
  if (settings.caSecretArn) {
    tls.ca = [
      (await readSecret(secrets, settings.caSecretArn, caSecret, '{"certificate": "<PEM of the CA>"}')).certificate,
    ];
  }
  if (auth.mode === 'mtls') {
    const client = await readSecret(
      secrets,
      auth.secretArn,
      clientCertificateSecret,
      '{"certificate": "<PEM chain>", "privateKey": "<PEM>", "privateKeyPassword"?: "..."}',
    );
    Object.assign(tls, { cert: client.certificate, key: client.privateKey, passphrase: client.privateKeyPassword });
  }
  return { ssl: tls, sasl: await sasl(auth, secrets) };
}

async function sasl(auth: KafkaAuth, secrets: SecretReader): Promise<SASLOptions | undefined> {
  switch (auth.mode) {
    case 'none':
    case 'mtls':
      return undefined;
    case 'msk-iam':
      // The token is signed with the function's role for each new connection; the signer caches nothing.
      // Loaded here, not at init: only msk-iam needs it.
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: async () => {
          const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
          return { value: (await generateAuthToken({ region: auth.region })).token };
        },
      };
    default: {
      const user =
        'secretArn' in auth
          ? await readSecret(secrets, auth.secretArn, userSecret, '{"username": "...", "password": "..."}')
          : auth.localCredentials;
      return { mechanism: saslMechanisms[auth.mode], username: user.username, password: user.password };
    }
  }
}

async function readSecret<T>(
  secrets: SecretReader,
  secretArn: string,
  schema: z.ZodType<T>,
  expected: string,
): Promise<T> {
  const parsed = parseJsonText(schema, await secrets.read(secretArn));
  if (parsed.ok) return parsed.data;
  if (parsed.kind === 'syntax')
    throw new SecretError(`The secret ${secretArn} is not JSON; set its value to ${expected}.`);
  throw new SecretError(
    `The secret ${secretArn} is not of the expected shape (${parsed.problem}); set its value to ${expected}.`,
  );
}

/**
 * What to check when the client could not talk to the broker, by the kind of failure: credentials,
 * the broker's certificate, or reachability.
 */
export function kafkaFailureHint(error: unknown, settings: KafkaSettings): string {
  const chain = causes(error);
  if (chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError')) {
    const where =
      settings.auth.mode === 'msk-iam'
        ? "the function role's kafka-cluster:Connect/WriteData permissions"
        : 'secretArn' in settings.auth
          ? `the username and password in the secret ${settings.auth.secretArn}`
          : 'KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD';
    return `The broker rejected the credentials (KAFKA_AUTH=${settings.auth.mode}): check ${where}, and that the cluster has that user for this mechanism.`;
  }
  if (chain.some((e) => (e as { type?: unknown }).type === 'MESSAGE_TOO_LARGE')) {
    return "The broker refused a record batch over its message.max.bytes (or the topic's max.message.bytes, 1 MB by default): send smaller messages, or raise that limit on the broker or topic.";
  }
  const tlsCodes = [
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
  ];
  if (chain.some((e) => tlsCodes.includes(String((e as { code?: unknown }).code)))) {
    return 'The broker\'s TLS certificate was not trusted: if a private CA signed it, set KAFKA_CA_SECRET_ARN to a secret {"certificate": "<PEM of the CA>"}; check that KAFKA_BOOTSTRAP_SERVERS uses the names in the certificate.';
  }
  // OpenSSL 1.1 (Node 20) names the alert SSLV3_ALERT_BAD_CERTIFICATE, OpenSSL 3.5 (Node 24) SSL/TLS_ALERT_BAD_CERTIFICATE.
  if (
    chain.some((e) =>
      /^ERR_SSL_(SSLV3_ALERT_BAD_CERTIFICATE|SSL\/TLS_ALERT_BAD_CERTIFICATE|TLSV13_ALERT_CERTIFICATE_REQUIRED)$/.test(
        String((e as { code?: unknown }).code),
      ),
    )
  ) {
    return "The broker refused this client's TLS handshake: its listener requires a client certificate; set KAFKA_AUTH=mtls with KAFKA_SECRET_ARN naming the certificate secret.";
  }
  const security =
    settings.auth.mode === 'none' && !settings.tls
      ? 'without TLS or authentication'
      : `with KAFKA_AUTH=${settings.auth.mode}, KAFKA_TLS=${settings.tls}`;
  return `Is Kafka running, does the topic exist, and does the listener on those ports expect a client ${security}? Locally: npm run stack:up.`;
}

/** The error and its causes (kafkajs wraps a connection error, which carries the socket's code, in a retry error). */
function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let e = error; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  return chain;
}
