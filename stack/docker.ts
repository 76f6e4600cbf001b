import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths';
import { runShown } from './tools';

const composeFile = join(repoRoot, 'docker-compose.yml');
const compose = (...args: string[]) => [
  'compose',
  '-f',
  composeFile,
  '--project-name',
  'air-quality-pipeline',
  ...args,
];

/** True when a Docker engine answers (the client alone is not enough). STACK_MODE=native|docker overrides. */
export function dockerEngineAvailable(): boolean {
  const mode = process.env.STACK_MODE;
  if (mode === 'native') return false;
  if (mode === 'docker') return true;
  return (
    spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 }).status === 0
  );
}

// The init services are for plain `docker compose up` users; stack:up provisions topics and bucket itself.
export const dockerUp = () => runShown('docker', compose('up', '-d', '--wait', 'kafka', 'minio'));
export const dockerDown = (removeVolumes = false) =>
  runShown('docker', compose('down', ...(removeVolumes ? ['--volumes'] : [])));
export const dockerLogs = (follow: boolean) =>
  runShown('docker', compose('logs', '--tail', '50', ...(follow ? ['--follow'] : [])));
export const dockerPs = () => runShown('docker', compose('ps'));
