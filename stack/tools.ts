import { spawn, spawnSync } from 'node:child_process';
import { StackError } from './errors';

/** Fails with one clear line when a required command is missing. */
export function requireCommand(command: string, versionArgs: string[], hint: string): string {
  const result = spawnSync(command, versionArgs, { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new StackError(`${command} not found: ${hint}`);
  return `${result.stdout}${result.stderr}`;
}

/** Runs a command with its output shown (downloads and builds print their own progress). */
export function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'], ...options });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new StackError(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}
