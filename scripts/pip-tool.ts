/**
 * Development tools published on PyPI (cfn-lint; Node.js builds of Lambda's runtimes), each pinned and
 * installed on first use into its own virtualenv under the project's cache (~/.cache/air-quality-pipeline),
 * like the stack's Kafka and MinIO. Never part of the product.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../stack/paths';
import { run } from '../stack/tools';

/** The virtualenv holding `pkg==version`, created when missing. */
export const ensurePipPackage = (pkg: string, version: string): Promise<string> =>
  ensurePipEnv(`${pkg}-${version}`, [`${pkg}==${version}`]);

/** The virtualenv `name` holding the pinned requirements (`pkg==version`, …), created when missing. */
export async function ensurePipEnv(name: string, requirements: readonly string[]): Promise<string> {
  const venv = join(cacheDir, name);
  const done = join(venv, '.installed');
  if (existsSync(done)) return venv;
  rmSync(venv, { recursive: true, force: true });
  const created = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
  if (created.status !== 0) {
    rmSync(venv, { recursive: true, force: true });
    throw new Error(
      `Could not create a Python virtualenv for ${name} (${(created.stderr || created.error?.message || '').trim()}). Install Python 3 with venv support (Debian: apt-get install python3-venv) and retry.`,
    );
  }
  try {
    await run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...requirements]);
  } catch (error) {
    rmSync(venv, { recursive: true, force: true });
    throw new Error(
      `pip could not install ${requirements.join(' ')} from PyPI: ${(error as Error).message}. Check the network access to PyPI and retry.`,
    );
  }
  writeFileSync(done, `${requirements.join('\n')}\n`);
  return venv;
}
