import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/**
 * Runs `measured` under the V8 CPU profiler when CPU_PROFILE names a file (`.cpuprofile`, opens in Chrome DevTools or
 * speedscope; summarise it with `npx tsx bench/support/profile-summary.ts <file>`). Unlike `node --cpu-prof`, only the measured
 * part is sampled, not the benchmark's setup (training a model, producing a backlog).
 */
export async function profiled<T>(measured: () => Promise<T>): Promise<T> {
  const file = process.env.CPU_PROFILE;
  if (!file) return measured();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await measured();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile written to ${file}`);
  }
}
