/**
 * Every setting of the pipeline, read from the environment with local defaults.
 *
 * The defaults point at the local stack (`npm run stack:up`): Kafka on localhost:29092
 * and MinIO on localhost:9000 with MinIO's documented default credentials. Those
 * credentials are for the local stack only; in AWS, S3_ENDPOINT is unset and the SDK's
 * default credential chain (the function's IAM role) is used instead.
 */
export interface KafkaSettings {
  brokers: string[];
  clientId: string;
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

export const LOCAL_MINIO_CREDENTIALS = { accessKeyId: 'minioadmin', secretAccessKey: 'minioadmin' } as const;

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
  const brokers = raw.split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker)) {
      throw new ConfigError(
        `KAFKA_BOOTSTRAP_SERVERS has "${broker}", expected host:port (comma-separated list), e.g. localhost:29092.`,
      );
    }
  }
  return brokers;
}

function s3Settings(env: Env): S3Settings {
  const region = text(env, 'AWS_REGION', text(env, 'AWS_DEFAULT_REGION', 'us-east-1'));
  const bucket = text(env, 'S3_BUCKET', 'air-quality');
  // An explicit empty S3_ENDPOINT selects AWS S3; unset selects the local MinIO.
  const endpoint = env.S3_ENDPOINT === undefined ? 'http://localhost:9000' : env.S3_ENDPOINT.trim();
  if (!endpoint) return { region, bucket, forcePathStyle: false };
  try {
    new URL(endpoint);
  } catch {
    throw new ConfigError(`S3_ENDPOINT="${endpoint}" is not a URL; use e.g. http://localhost:9000, or set it empty for AWS S3.`);
  }
  const accessKeyId = env.S3_ACCESS_KEY_ID ?? env.MINIO_ROOT_USER ?? LOCAL_MINIO_CREDENTIALS.accessKeyId;
  const secretAccessKey = env.S3_SECRET_ACCESS_KEY ?? env.MINIO_ROOT_PASSWORD ?? LOCAL_MINIO_CREDENTIALS.secretAccessKey;
  return { endpoint, region, bucket, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } };
}

export function loadConfig(env: Env = process.env): PipelineConfig {
  return {
    stage: text(env, 'STAGE', 'local'),
    kafka: { brokers: brokerList(env), clientId: text(env, 'KAFKA_CLIENT_ID', 'air-quality-pipeline') },
    s3: s3Settings(env),
    topics: {
      readings: text(env, 'KAFKA_TOPIC_READINGS', 'air_quality_data'),
      deadLetter: text(env, 'KAFKA_TOPIC_DLQ', 'air_quality_data.dlq'),
      predictions: text(env, 'KAFKA_TOPIC_PREDICTIONS', 'air_quality_predictions'),
      partitions: positiveInt(env, 'KAFKA_TOPIC_PARTITIONS', 3),
    },
  };
}
