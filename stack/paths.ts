import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Repository root (this file lives in <root>/stack). */
export const repoRoot = resolve(__dirname, '..');

/** Git-ignored runtime state of the local stack: data, logs, pid files, generated configs. */
export const stateDir = process.env.STACK_STATE_DIR ?? join(repoRoot, '.stack');
export const dataDir = join(stateDir, 'data');
export const logDir = join(stateDir, 'logs');
export const runDir = join(stateDir, 'run');

/** Downloads and builds shared by every clone: Kafka jars, the MinIO binary. */
export const cacheDir = process.env.AIR_QUALITY_CACHE_DIR ?? join(homedir(), '.cache', 'air-quality-pipeline');
