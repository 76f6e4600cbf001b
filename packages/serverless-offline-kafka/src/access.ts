/**
 * How a mapping's consumer reaches its broker: the event's access configurations, with the secrets they name
 * resolved locally, as kafkajs `ssl`/`sasl` options (pure). AWS's contract:
 * - self-managed Kafka: https://docs.aws.amazon.com/lambda/latest/dg/kafka-cluster-auth.html
 * - Amazon MSK: https://docs.aws.amazon.com/lambda/latest/dg/msk-cluster-auth.html
 * - the types and what their secrets hold: https://docs.aws.amazon.com/lambda/latest/dg/API_SourceAccessConfiguration.html
 */
import type { SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { BrokerAccess } from './mapping';

/** osls's `kafka` event `accessConfigurations`: one list per Lambda SourceAccessConfiguration type. */
export interface AccessConfigurations {
  /** BASIC_AUTH: SASL/PLAIN. */
  saslPlainAuth?: string[];
  saslScram256Auth?: string[];
  saslScram512Auth?: string[];
  /** CLIENT_CERTIFICATE_TLS_AUTH: mutual TLS. */
  clientCertificateTlsAuth?: string[];
  /** SERVER_ROOT_CA_CERTIFICATE: the CA that signed the brokers' certificates, when it is not a public one. */
  serverRootCaCertificate?: string[];
  vpcSubnet?: string[];
  vpcSecurityGroup?: string[];
}

/** Where secrets are found offline (Secrets Manager is not there). */
export interface SecretSource {
  /** The value stored for the secret (by ARN or name): its JSON, parsed or as text; undefined when absent. Throws when the store cannot be read. */
  get(arn: string): unknown;
  /** Names the store in messages, e.g. the file's path. */
  readonly location: string;
}

export class KafkaAccessError extends Error {
  override name = 'KafkaAccessError';
}

const SASL_MECHANISMS = {
  saslPlainAuth: 'plain',
  saslScram256Auth: 'scram-sha-256',
  saslScram512Auth: 'scram-sha-512',
} as const;
type SaslKey = keyof typeof SASL_MECHANISMS;
const AUTHENTICATION_KEYS = [...(Object.keys(SASL_MECHANISMS) as SaslKey[]), 'clientCertificateTlsAuth'] as const;
/** VPC placement decides where Lambda's pollers run; locally the brokers are reached from this machine. */
const NETWORK_KEYS = ['vpcSubnet', 'vpcSecurityGroup'] as const;
const KNOWN_KEYS: readonly string[] = [...AUTHENTICATION_KEYS, 'serverRootCaCertificate', ...NETWORK_KEYS];

/** The secrets' formats, as the Lambda guide gives them. */
const FORMATS = {
  user: '{"username": "...", "password": "..."}',
  clientCertificate:
    '{"certificate": "<PEM: client certificate, intermediates, root>", "privateKey": "<PKCS #8 PEM>", "privateKeyPassword": "<only for an encrypted key>"}',
  rootCa: '{"certificate": "<PEM of the root CA>"}',
};

/**
 * The access of one `kafka`/`msk` event (at `where`), to spread into its MappingSettings: `{}` for plaintext. When
 * `custom.serverless-offline-kafka.accessConfigurations` declares the local broker's own access (`override`), that
 * applies to every event instead.
 */
export function mappingAccess(
  kind: 'kafka' | 'msk',
  event: Record<string, unknown>,
  where: string,
  options: { override?: AccessConfigurations; secrets: SecretSource; warn: (line: string) => void },
): { access?: BrokerAccess } {
  const access = declaredAccess(kind, event, where, options);
  return access ? { access } : {};
}

function declaredAccess(
  kind: 'kafka' | 'msk',
  event: Record<string, unknown>,
  where: string,
  { override, secrets, warn }: { override?: AccessConfigurations; secrets: SecretSource; warn: (line: string) => void },
): BrokerAccess | undefined {
  if (override !== undefined)
    return brokerAccess(override, 'custom.serverless-offline-kafka.accessConfigurations', secrets);
  if (kind === 'kafka') return brokerAccess(event.accessConfigurations ?? {}, `${where}.accessConfigurations`, secrets);
  // osls's msk event takes one SASL/SCRAM-512 secret; without it Lambda uses IAM (or no authentication, if the cluster allows it).
  if (event.saslScram512 !== undefined)
    return brokerAccess(
      { saslScram512Auth: [event.saslScram512 as string] },
      where,
      secrets,
      () => `${where}.saslScram512`,
    );
  warn(
    `${where}: in AWS, Lambda authenticates to this MSK cluster with the function's IAM role unless the cluster allows unauthenticated access; ` +
      'IAM cannot be emulated against a local broker, so the emulator connects without TLS or authentication ' +
      "(declare the local broker's own access in custom.serverless-offline-kafka.accessConfigurations to connect otherwise).",
  );
  return undefined;
}

/** kafkajs options for access configurations (at `where`) whose secrets are in `secrets`; undefined for plaintext. */
export function brokerAccess(
  configurations: unknown,
  where: string,
  secrets: SecretSource,
  pathOf = (key: keyof AccessConfigurations) => `${where}.${key}`,
): BrokerAccess | undefined {
  const declared = accessConfigurations(configurations, where);
  const authentication = AUTHENTICATION_KEYS.filter((key) => declared[key] !== undefined);
  if (authentication.length > 1) {
    throw new KafkaAccessError(
      `${where}: ${authentication.join(' and ')} together; Lambda authenticates an event source mapping one way: keep one.`,
    );
  }
  const secretOf = (key: keyof AccessConfigurations) => {
    const arns = declared[key];
    if (arns && arns.length > 1)
      throw new KafkaAccessError(`${pathOf(key)}: ${arns.length} secrets; Lambda takes one: keep one ARN.`);
    return arns?.[0];
  };
  const rootCaArn = secretOf('serverRootCaCertificate');
  const tls: ConnectionOptions = rootCaArn
    ? { ca: [certificates(readSecret(secrets, rootCaArn, pathOf('serverRootCaCertificate'), FORMATS.rootCa))] }
    : {};
  const method = authentication[0];
  const secretArn = method && secretOf(method);
  const origin = {
    where,
    secretsLocation: secrets.location,
    ...(secretArn ? { authenticationSecret: secretArn } : {}),
  };

  if (method === 'clientCertificateTlsAuth') {
    const secret = readSecret(secrets, secretArn!, pathOf(method), FORMATS.clientCertificate);
    return { ssl: { ...tls, cert: certificates(secret), ...privateKey(secret) }, origin };
  }
  if (method) {
    const secret = readSecret(secrets, secretArn!, pathOf(method), FORMATS.user);
    const sasl = {
      mechanism: SASL_MECHANISMS[method],
      username: secret.text('username'),
      password: secret.text('password'),
    } as SASLOptions;
    // Lambda sends SASL credentials over TLS only (SASL_SSL), never SASL_PLAINTEXT.
    return { ssl: rootCaArn ? tls : true, sasl, origin };
  }
  // A root CA alone: TLS encryption without client authentication.
  return rootCaArn ? { ssl: tls, origin } : undefined;
}

function accessConfigurations(value: unknown, where: string): AccessConfigurations {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new KafkaAccessError(`${where} must be an object of lists, e.g. { saslScram512Auth: [<secret ARN>] }.`);
  for (const [key, list] of Object.entries(value)) {
    if (!KNOWN_KEYS.includes(key))
      throw new KafkaAccessError(
        `${where}.${key} is not an access configuration osls knows; use ${KNOWN_KEYS.join(', ')}.`,
      );
    if (!Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === 'string' && item !== '')) {
      throw new KafkaAccessError(
        `${where}.${key} must be a non-empty list of ${NETWORK_KEYS.includes(key as never) ? 'ids' : 'Secrets Manager ARNs'}.`,
      );
    }
  }
  return value as AccessConfigurations;
}

/** A secret's value; its problems name the secret, the event path and the fix. */
class SecretValue {
  constructor(
    private readonly value: Record<string, unknown>,
    private readonly subject: string,
    private readonly fix: string,
  ) {}

  text(field: string): string {
    const text = this.optionalText(field);
    if (text === undefined) throw this.problem(`has no "${field}"`);
    return text;
  }

  optionalText(field: string): string | undefined {
    const value = this.value[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value === '') throw this.problem(`has a "${field}" that is not text`);
    return value;
  }

  problem(what: string): KafkaAccessError {
    return new KafkaAccessError(`${this.subject} ${what}; ${this.fix}.`);
  }
}

function readSecret(secrets: SecretSource, arn: string, where: string, format: string): SecretValue {
  let value: unknown;
  try {
    value = secrets.get(arn);
  } catch (error) {
    throw new KafkaAccessError(`${where}: ${(error as Error).message}`, { cause: error });
  }
  if (value === undefined)
    throw new KafkaAccessError(`${where}: secret ${arn} is not in ${secrets.location}; add "${arn}": ${format} to it.`);
  const subject = `${where}: secret ${arn}`;
  const fix = `set "${arn}" in ${secrets.location} to ${format}`;
  if (typeof value === 'string') {
    // As Secrets Manager stores it: the JSON as text.
    try {
      value = JSON.parse(value);
    } catch {
      throw new KafkaAccessError(`${subject} is text that is not JSON; ${fix}.`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new KafkaAccessError(`${subject} is not a JSON object; ${fix}.`);
  return new SecretValue(value as Record<string, unknown>, subject, fix);
}

/** The `certificate` field: one PEM certificate or a chain, each starting on a line of its own. */
function certificates(secret: SecretValue): string {
  const pem = secret.text('certificate');
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw secret.problem('has a "certificate" without a PEM certificate (-----BEGIN CERTIFICATE-----)');
  return pem;
}

/** PBES2's object identifier (1.2.840.113549.1.5.13), DER-encoded. */
const PBES2_OID = Buffer.from('06092a864886f70d01050d', 'hex');

/**
 * The client's private key as Lambda accepts it: PKCS #8, and when encrypted, with a PBES1 scheme (Lambda does
 * not decrypt PBES2) and its password. A key Lambda would refuse is refused here too.
 */
function privateKey(secret: SecretValue): Pick<ConnectionOptions, 'key' | 'passphrase'> {
  const key = secret.text('privateKey');
  const passphrase = secret.optionalText('privateKeyPassword');
  if (key.includes('-----BEGIN PRIVATE KEY-----')) return { key };
  if (!key.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) {
    throw secret.problem(
      'has a "privateKey" that is not PKCS #8 (-----BEGIN PRIVATE KEY----- or -----BEGIN ENCRYPTED PRIVATE KEY-----), which Lambda requires; convert it with openssl pkcs8 -topk8',
    );
  }
  if (passphrase === undefined) throw secret.problem('has an encrypted "privateKey" but no "privateKeyPassword"');
  if (encryptedWithPbes2(key)) {
    throw secret.problem(
      'has a "privateKey" encrypted with PBES2, which Lambda cannot decrypt (it supports PBES1 only); re-encrypt it, e.g. openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES',
    );
  }
  return { key, passphrase };
}

/** EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm SEQUENCE { algorithm OID, ... }, ... } */
function encryptedWithPbes2(pem: string): boolean {
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  // A DER header is a tag and a length; a long length (high bit set) is followed by that many length bytes.
  const contentOf = (offset: number) =>
    offset + 2 + ((der[offset + 1] ?? 0) & 0x80 ? (der[offset + 1] ?? 0) & 0x7f : 0);
  const algorithm = contentOf(contentOf(0));
  return der.subarray(algorithm, algorithm + PBES2_OID.length).equals(PBES2_OID);
}

/** Node's codes for a broker certificate that no trusted CA signed, or that names another host. */
const UNTRUSTED_CERTIFICATE = [
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
];
/**
 * The broker's TLS alerts when it wants a client certificate, or does not accept the one it got, as Node names them
 * (OpenSSL 3 calls bad_certificate "SSL/TLS", older versions "SSLV3"; a Java broker sends it when there is no certificate).
 */
const REFUSED_CLIENT_CERTIFICATE = [
  'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
];

/** What to check when a mapping with this access could not reach its broker ('' when nothing more specific is known). */
export function accessFailureHint(access: BrokerAccess | undefined, error: unknown): string {
  const origin = access?.origin;
  if (!origin) return '';
  const chain: Error[] = [];
  // kafkajs wraps the socket's error (which carries the code) in retry errors, through `cause`.
  for (let e = error; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  const codes = chain.map((e) => String((e as { code?: unknown }).code));
  const secret = `secret ${origin.authenticationSecret} (${origin.where}) in ${origin.secretsLocation}`;
  if (chain.some((e) => e.name === 'KafkaJSSASLAuthenticationError')) {
    return `the broker rejected the credentials of ${secret}: check its username and password, and that the broker has that user for ${access.sasl?.mechanism}`;
  }
  if (codes.some((code) => UNTRUSTED_CERTIFICATE.includes(code))) {
    return `the broker's TLS certificate is not trusted: if a private CA signed it, add serverRootCaCertificate: [<secret ARN>] to the access configurations (${origin.where}) with that secret in ${origin.secretsLocation} as ${FORMATS.rootCa} (an msk event has no such key: set NODE_EXTRA_CA_CERTS to the CA's PEM file), and reach the brokers by a name their certificate carries`;
  }
  if (codes.some((code) => REFUSED_CLIENT_CERTIFICATE.includes(code))) {
    return origin.authenticationSecret && typeof access.ssl === 'object' && access.ssl.cert
      ? `the broker refused the client certificate of ${secret}: check that a CA in the broker's truststore signed it`
      : `the broker requires a client certificate: declare clientCertificateTlsAuth in ${origin.where}`;
  }
  return '';
}
