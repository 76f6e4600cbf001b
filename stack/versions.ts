/** Pinned versions of the local stack; docker-compose.yml pins the same releases. */
export const KAFKA_VERSION = '4.1.1';
export const LOG4J_VERSION = '2.24.3';
/** MinIO has no Go module tags; this pseudo-version is the upstream commit of 2026-02-12. */
export const MINIO_MODULE = 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c';
