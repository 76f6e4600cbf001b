import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { logDir, runDir } from './paths';

/** A background service of the native stack, tracked by a pid file and a log file. */
export class ManagedProcess {
  readonly pidFile: string;
  readonly logFile: string;

  /**
   * @param marker a string that must appear in the process command line, so a recycled pid is never killed.
   * @param dirs where its pid file and log go: the local stack's by default.
   */
  constructor(
    readonly name: string,
    private readonly marker: string,
    dirs = { runDir, logDir },
  ) {
    this.pidFile = join(dirs.runDir, `${name}.pid`);
    this.logFile = join(dirs.logDir, `${name}.log`);
  }

  /** The pid of the running process, or undefined when it is not running. */
  pid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !commandLine(pid).includes(this.marker)) {
      rmSync(this.pidFile, { force: true });
      return undefined;
    }
    return pid;
  }

  start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
    mkdirSync(dirname(this.pidFile), { recursive: true });
    mkdirSync(dirname(this.logFile), { recursive: true });
    const log = openSync(this.logFile, 'a');
    writeFileSync(log, `\n--- ${new Date().toISOString()} starting ${command} ${args.join(' ')}\n`);
    const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log], env });
    closeSync(log);
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    writeFileSync(this.pidFile, String(child.pid));
    return child.pid;
  }

  /** SIGTERM the process group, then SIGKILL after the grace period. */
  async stop(graceMs = 30_000): Promise<boolean> {
    const pid = this.pid();
    if (pid === undefined) return false;
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(200);
    if (isAlive(pid)) {
      signalGroup(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(100);
    }
    rmSync(this.pidFile, { force: true });
    return true;
  }

  /** The last lines of the log, for error messages. */
  tail(lines = 20): string {
    if (!existsSync(this.logFile)) return '';
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie (exited, not yet reaped) counts as gone.
  const stat = readProc(pid, 'stat');
  return !/^\d+ \(.*\) Z/.test(stat);
}

function commandLine(pid: number): string {
  return readProc(pid, 'cmdline').replace(/\0/g, ' ');
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
