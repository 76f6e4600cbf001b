/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time and the most
 * total (inclusive) time, as percentages of the sampled time.
 *   npx tsx bench/support/profile-summary.ts <file.cpuprofile> [top = 25]
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

const [file, topArg = '25'] = process.argv.slice(2);
if (!file) throw new Error('usage: npx tsx bench/support/profile-summary.ts <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(topArg);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const where = (n: ProfileNode) => {
  const url = n.callFrame.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, '~/');
  return `${n.callFrame.functionName || '(anonymous)'} ${url.split('/').slice(-3).join('/')}:${n.callFrame.lineNumber + 1}`;
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let sampled = 0;
profile.samples.forEach((id, i) => {
  const us = profile.timeDeltas[i] ?? 0;
  sampled += us;
  const leaf = byId.get(id)!;
  self.set(where(leaf), (self.get(where(leaf)) ?? 0) + us);
  // Each function counts once per sample however deep it recurses.
  const seen = new Set<string>();
  for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
    const name = where(byId.get(n)!);
    if (seen.has(name)) continue;
    seen.add(name);
    total.set(name, (total.get(name) ?? 0) + us);
  }
});

const rows = (m: Map<string, number>) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(
      ([name, us]) =>
        `${((100 * us) / sampled).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`,
    );
console.log(`${file}: ${(sampled / 1000).toFixed(0)} ms sampled`);
console.log(`-- self --\n${rows(self).join('\n')}`);
console.log(`-- total --\n${rows(total).join('\n')}`);
