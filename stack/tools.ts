import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StackError } from './errors';
import { logDir } from './paths';

/** Where the stack's set-up commands (Maven, go install, storage format) write their full output. */
export const setupLog = join(logDir, 'setup.log');

/** Fails with one clear line when a required command is missing. */
export function requireCommand(command: string, versionArgs: string[], hint: string): string {
  const result = spawnSync(command, versionArgs, { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new StackError(`${command} not found: ${hint}`);
  return `${result.stdout}${result.stderr}`;
}

const lastLines = (file: string, count: number) =>
  readFileSync(file, 'utf8').trimEnd().split('\n').slice(-count).join('\n');

/**
 * Runs a set-up command with its output appended to the set-up log, not the terminal (a MinIO build prints
 * thousands of lines); a failure names the log and quotes its last lines.
 */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<void> {
  mkdirSync(dirname(setupLog), { recursive: true });
  const log = openSync(setupLog, 'a');
  writeSync(log, `\n--- ${new Date().toISOString()} ${command} ${args.join(' ')}\n`);
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', log, log], ...options });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(
            new StackError(
              `${command} ${args.join(' ')} exited with ${code}. Its output is in ${setupLog}; the last lines:\n${lastLines(setupLog, 15)}`,
            ),
          ),
    );
  }).finally(() => closeSync(log));
}

/** Docker's own commands, whose progress the user wants to see. */
export function runShown(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new StackError(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

const HEARTBEAT_MS = 15_000;

/**
 * One line when a phase starts (with its detail), a short one every 15 s while it runs (a first build takes
 * minutes), one when it is done.
 */
export async function phase<T>(label: string, work: () => Promise<T> | T, detail?: string): Promise<T> {
  const started = Date.now();
  const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;
  console.log(`${label}${detail ? ` (${detail})` : ''}...`);
  const heartbeat = setInterval(() => console.log(`${label}... ${seconds()}`), HEARTBEAT_MS);
  try {
    const result = await work();
    console.log(`${label}: done in ${seconds()}.`);
    return result;
  } finally {
    clearInterval(heartbeat);
  }
}
