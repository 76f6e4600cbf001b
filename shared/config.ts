/**
 * Every setting of the pipeline, read from the environment with local defaults.
 *
 * The defaults point at the local stack (`npm run stack:up`): Kafka on localhost:29092
 * and MinIO on localhost:9000 with MinIO's documented default credentials. Those
 * credentials are for the local stack only; in AWS, S3_ENDPOINT is unset and the SDK's
 * default credential chain (the function's IAM role) is used instead.
 */
const KAFKA_AUTH_MODES = ['none', 'sasl-plain', 'sasl-scram-256', 'sasl-scram-512', 'mtls', 'msk-iam'] as const;
type KafkaAuthMode = (typeof KAFKA_AUTH_MODES)[number];

/** How the functions' own Kafka client authenticates (the event source mappings authenticate by themselves). */
export type KafkaAuth =
  | { mode: 'none' }
  /** SASL user from a Secrets Manager secret {"username","password"}, or given directly for local development only. */
  | { mode: 'sasl-plain' | 'sasl-scram-256' | 'sasl-scram-512'; secretArn: string }
  | {
      mode: 'sasl-plain' | 'sasl-scram-256' | 'sasl-scram-512';
      localCredentials: { username: string; password: string };
    }
  /** Client certificate from a Secrets Manager secret {"certificate","privateKey","privateKeyPassword"?}. */
  | { mode: 'mtls'; secretArn: string }
  /** Signed with the function's IAM role in this region. */
  | { mode: 'msk-iam'; region: string };

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  auth: KafkaAuth;
  tls: boolean;
  /** Secret {"certificate": PEM} with the CA of brokers signed by a private CA; undefined trusts Node's public CAs. */
  caSecretArn?: string;
}

export interface S3Settings {
  /** Custom endpoint (MinIO). Undefined means AWS S3 itself. */
  endpoint?: string;
  region: string;
  bucket: string;
  forcePathStyle: boolean;
  /** Static credentials for the local endpoint only; undefined in AWS. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface TopicSettings {
  readings: string;
  deadLetter: string;
  predictions: string;
  partitions: number;
}

export interface PipelineConfig {
  stage: string;
  kafka: KafkaSettings;
  s3: S3Settings;
  topics: TopicSettings;
}

const LOCAL_MINIO_CREDENTIALS = { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' } as const;

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function text(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim();
  return value ? value : fallback;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${name}=${raw} is not a positive integer; unset it to use ${fallback}.`);
  }
  return value;
}

function brokerList(env: Env): string[] {
  const raw = text(env, 'KAFKA_BOOTSTRAP_SERVERS', 'localhost:29092');
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new ConfigError(
        `KAFKA_BOOTSTRAP_SERVERS has "${broker}", expected host:port (comma-separated list), e.g. localhost:29092.`,
      );
    }
  }
  return brokers;
}

function region(env: Env): string {
  return text(env, 'AWS_REGION', text(env, 'AWS_DEFAULT_REGION', 'us-east-1'));
}

function kafkaAuthMode(env: Env): KafkaAuthMode {
  const raw = text(env, 'KAFKA_AUTH', 'none');
  const mode = KAFKA_AUTH_MODES.find((m) => m === raw);
  if (!mode)
    throw new ConfigError(
      `KAFKA_AUTH=${raw} is not a known mode; use one of ${KAFKA_AUTH_MODES.join(', ')} (none for the local stack).`,
    );
  return mode;
}

function kafkaAuth(env: Env): KafkaAuth {
  const mode = kafkaAuthMode(env);
  const secretArn = env.KAFKA_SECRET_ARN?.trim() || undefined;
  const username = env.KAFKA_SASL_USERNAME?.trim() || undefined;
  const password = env.KAFKA_SASL_PASSWORD || undefined;
  const sasl = mode === 'sasl-plain' || mode === 'sasl-scram-256' || mode === 'sasl-scram-512';
  if (!sasl && (username || password)) {
    throw new ConfigError(
      `KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are only used with KAFKA_AUTH=sasl-*, not ${mode}; unset them.`,
    );
  }
  if (sasl) {
    if (secretArn && (username || password)) {
      throw new ConfigError(
        `KAFKA_SECRET_ARN and KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD are both set; keep KAFKA_SECRET_ARN (the direct credentials are for local development only).`,
      );
    }
    if (secretArn) return { mode, secretArn };
    if (username && password) return { mode, localCredentials: { username, password } };
    if (username || password)
      throw new ConfigError(
        `KAFKA_AUTH=${mode} has only one of KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD; set both (local development only), or set KAFKA_SECRET_ARN instead.`,
      );
    throw new ConfigError(
      `KAFKA_AUTH=${mode} needs KAFKA_SECRET_ARN: the ARN of a Secrets Manager secret {"username","password"} (the one the event source mapping uses).`,
    );
  }
  if (mode === 'mtls') {
    if (secretArn) return { mode, secretArn };
    throw new ConfigError(
      'KAFKA_AUTH=mtls needs KAFKA_SECRET_ARN: the ARN of a Secrets Manager secret {"certificate","privateKey","privateKeyPassword"?} (the CLIENT_CERTIFICATE_TLS_AUTH secret of the event source mapping).',
    );
  }
  if (secretArn)
    throw new ConfigError(
      `KAFKA_SECRET_ARN is not used with KAFKA_AUTH=${mode}; unset it, or set KAFKA_AUTH to the mechanism the secret is for.`,
    );
  return mode === 'msk-iam' ? { mode, region: region(env) } : { mode };
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`${name}=${env[name]} is neither true nor false; unset it to use ${fallback}.`);
}

function kafkaSettings(env: Env): KafkaSettings {
  const auth = kafkaAuth(env);
  const caSecretArn = env.KAFKA_CA_SECRET_ARN?.trim() || undefined;
  // TLS by default with any authentication, and with a private CA (a TLS listener without authentication).
  const tls = flag(env, 'KAFKA_TLS', auth.mode !== 'none' || caSecretArn !== undefined);
  if (!tls && (auth.mode === 'mtls' || auth.mode === 'msk-iam')) {
    throw new ConfigError(`KAFKA_AUTH=${auth.mode} needs TLS; unset KAFKA_TLS or set it to true.`);
  }
  if (caSecretArn && !tls)
    throw new ConfigError('KAFKA_CA_SECRET_ARN is set but KAFKA_TLS=false; enable TLS or unset KAFKA_CA_SECRET_ARN.');
  return {
    brokers: brokerList(env),
    clientId: text(env, 'KAFKA_CLIENT_ID', 'air-quality-pipeline'),
    auth,
    tls,
    caSecretArn,
  };
}

function s3Settings(env: Env): S3Settings {
  const bucket = text(env, 'S3_BUCKET', 'air-quality');
  // An explicit empty S3_ENDPOINT selects AWS S3; unset selects the local MinIO.
  const endpoint = env.S3_ENDPOINT === undefined ? 'http://localhost:9000' : env.S3_ENDPOINT.trim();
  if (!endpoint) return { region: region(env), bucket, forcePathStyle: false };
  try {
    new URL(endpoint);
  } catch {
    throw new ConfigError(
      `S3_ENDPOINT="${endpoint}" is not a URL; use e.g. http://localhost:9000, or set it empty for AWS S3.`,
    );
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID ?? env.MINIO_ROOT_USER ?? LOCAL_MINIO_CREDENTIALS.accessKeyId;
  const secretAccessKey =
    env.S3_SECRET_ACCESS_KEY ?? env.MINIO_ROOT_PASSWORD ?? LOCAL_MINIO_CREDENTIALS.secretAccessKey;
  return { endpoint, region: region(env), bucket, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } };
}

export function loadConfig(env: Env = process.env): PipelineConfig {
  return {
    stage: text(env, 'STAGE', 'local'),
    kafka: kafkaSettings(env),
    s3: s3Settings(env),
    topics: {
      readings: text(env, 'KAFKA_TOPIC_READINGS', 'air_quality_data'),
      deadLetter: text(env, 'KAFKA_TOPIC_DLQ', 'air_quality_data.dlq'),
      predictions: text(env, 'KAFKA_TOPIC_PREDICTIONS', 'air_quality_predictions'),
      partitions: positiveInt(env, 'KAFKA_TOPIC_PARTITIONS', 3),
    },
  };
}
