import { Client as MinioClient } from 'minio';
import type { S3Settings } from '../../shared/config';

/** An independent client (the minio SDK, not the product's S3 client) for checking what landed in the bucket. */
export function minioClient(s3: S3Settings): MinioClient {
  const url = new URL(s3.endpoint!);
  return new MinioClient({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: url.protocol === 'https:',
    accessKey: s3.credentials!.accessKeyId,
    secretKey: s3.credentials!.secretAccessKey,
  });
}
