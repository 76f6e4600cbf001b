import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineConfig } from '../shared/config';
import { cacheDir, dataDir } from './paths';
import { ManagedProcess } from './processes';
import { phase, requireCommand, run, setupLog } from './tools';
import { MINIO_MODULE, MINIO_RELEASE } from './versions';

const binDir = join(cacheDir, 'bin');
const binary = join(binDir, `minio-${MINIO_RELEASE}`);

export const minioProcess = new ManagedProcess('minio', `${binary} server`);

/**
 * Builds MinIO with `go install` (upstream's recommended install) once; later runs use the cache. -trimpath and
 * a stripped binary (-s -w) make the link step shorter and the binary a third smaller; the module and build
 * caches are Go's own, shared with any other Go work on the machine.
 */
async function ensureBinary(): Promise<void> {
  if (existsSync(binary)) return;
  requireCommand(
    'go',
    ['version'],
    'the native MinIO is built with `go install` (install Go 1.24+ from go.dev or apt-get install golang), or start a Docker engine.',
  );
  const gobin = join(binDir, 'build');
  mkdirSync(gobin, { recursive: true });
  await phase(
    `Building MinIO ${MINIO_RELEASE}`,
    async () => {
      await run('go', ['install', '-trimpath', '-ldflags=-s -w', MINIO_MODULE], {
        env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
      });
      await run('mv', [join(gobin, 'minio'), binary]);
    },
    `go install, first run only, a few minutes; output in ${setupLog}`,
  );
}

export async function startNativeMinio(config: PipelineConfig): Promise<void> {
  await ensureBinary();
  const data = join(dataDir, 'minio');
  mkdirSync(data, { recursive: true });
  minioProcess.start(
    binary,
    ['server', data, '--address', '127.0.0.1:9000', '--console-address', '127.0.0.1:9001', '--quiet'],
    {
      ...process.env,
      MINIO_ROOT_USER: config.s3.credentials?.accessKeyId,
      MINIO_ROOT_PASSWORD: config.s3.credentials?.secretAccessKey,
      MINIO_UPDATE: 'off',
    },
  );
}
