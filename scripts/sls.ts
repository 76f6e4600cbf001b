import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../stack/paths';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the project's serverless CLI (osls) from the repository root. */
export function sls(args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 180_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, 'node_modules/.bin/sls'), args, {
      cwd: repoRoot,
      env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`sls ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/**
 * The handler's result in the output of `sls invoke local`: the pretty-printed JSON object that
 * starts at the last line holding only "{" (log lines come before it).
 */
export function invocationResult<T>(stdout: string): T {
  const start = stdout.lastIndexOf('\n{\n');
  const at = start >= 0 ? start + 1 : stdout.startsWith('{\n') ? 0 : -1;
  if (at < 0) throw new Error(`no result in the output of sls invoke local:\n${stdout}`);
  return JSON.parse(stdout.slice(at)) as T;
}
