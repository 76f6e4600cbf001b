/** Pinned versions of the local stack; docker-compose.yml pins the same releases. */
export const KAFKA_VERSION = '4.1.1';
export const LOG4J_VERSION = '2.24.3';
/**
 * MinIO RELEASE.2025-09-07T16-13-09Z, the image docker-compose.yml runs, built from the same commit (MinIO has
 * no semver tags, so the Go proxy serves the release's commit as a pseudo-version). Later upstream commits are
 * source-only (no image to match) and touch neither a single-drive server's conditional writes nor CopyObject.
 */
export const MINIO_RELEASE = 'RELEASE.2025-09-07T16-13-09Z';
export const MINIO_MODULE = 'github.com/minio/minio@v0.0.0-20250907161309-07c3a429bfed';
