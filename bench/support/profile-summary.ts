/**
 * The top costs of a V8 .cpuprofile (from `node --cpu-prof`): self time per function and total time
 * (self + callees, each function counted once per stack) per function, in ms.
 *   npx tsx bench/support/profile-summary.ts <file.cpuprofile> [top=15] [under]
 * With `under` (a function name), only the samples with that function on the stack.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives, short: the package (or the repo file) and the line. */
function location({ url, lineNumber }: ProfileNode['callFrame']): string {
  if (!url) return '';
  const modules = url.lastIndexOf('node_modules/');
  const path = modules >= 0 ? url.slice(modules + 'node_modules/'.length) : url.replace(/^.*\/wt-[^/]+\//, '');
  return `${path}:${lineNumber + 1}`;
}

export function summarise(
  profile: Profile,
  top = 15,
  under?: string,
): { self: string[]; total: string[]; totalMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${location(n.callFrame)}`.trim();
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const leaf = byId.get(id)!;
    const stack: ProfileNode[] = [];
    for (let n: ProfileNode | undefined = leaf; n; n = byId.get(parent.get(n.id) ?? -1)) stack.push(n);
    if (under && !stack.some((n) => n.callFrame.functionName === under)) return;
    totalMs += ms;
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + ms);
    const onStack = new Set(stack.map(name));
    for (const key of onStack) total.set(key, (total.get(key) ?? 0) + ms);
  });
  const ranked = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, ms]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${key}`);
  return { self: ranked(self), total: ranked(total), totalMs };
}

if (require.main === module) {
  const [file, top, under] = process.argv.slice(2);
  if (!file) throw new Error('Usage: npx tsx bench/support/profile-summary.ts <file.cpuprofile> [top]');
  const { self, total, totalMs } = summarise(JSON.parse(readFileSync(file, 'utf8')), Number(top ?? 15), under);
  console.log(`${totalMs.toFixed(0)} ms sampled\n\nself:\n${self.join('\n')}\n\ntotal:\n${total.join('\n')}`);
}
