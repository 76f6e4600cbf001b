/**
 * The top self and total costs of a V8 CPU profile (`node --cpu-prof` or bench/support/cpu-profile.ts), by function:
 *   npx tsx bench/profile-summary.ts <file.cpuprofile> [top = 25]
 * Self: samples in the function itself; total: samples with the function anywhere on the stack (counted once per
 * sample, so recursion does not inflate it); then self time by package (node_modules) or repository folder. Shares are
 * of all samples, idle included.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

const [file, top = '25'] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const where = ({ functionName, url, lineNumber }: ProfileNode['callFrame']): string => {
  const path = url.replace(/^file:\/\//, '');
  const shown = path.includes('node_modules/')
    ? path.slice(path.lastIndexOf('node_modules/') + 13)
    : relative('.', path);
  return `${functionName || '(anonymous)'} ${shown ? `${shown}:${lineNumber + 1}` : ''}`.trim();
};

/** The package (node_modules) or repository folder a frame's code is in: to see which layer the time is spent in. */
const area = ({ url, functionName }: ProfileNode['callFrame']): string => {
  const path = url.replace(/^file:\/\//, '');
  if (!path) return functionName.startsWith('(') ? functionName : '(native)';
  if (path.startsWith('node:')) return 'node internals';
  const inModules = path.lastIndexOf('node_modules/');
  if (inModules >= 0) {
    const [scope, name] = path.slice(inModules + 13).split('/');
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  return relative('.', path).split('/').slice(0, 2).join('/');
};
const byArea = new Map<string, number>();
const self = new Map<string, number>();
const total = new Map<string, number>();
for (const sample of profile.samples) {
  const leaf = byId.get(sample)!;
  self.set(where(leaf.callFrame), (self.get(where(leaf.callFrame)) ?? 0) + 1);
  byArea.set(area(leaf.callFrame), (byArea.get(area(leaf.callFrame)) ?? 0) + 1);
  const onStack = new Set<string>();
  for (let id: number | undefined = sample; id !== undefined; id = parent.get(id))
    onStack.add(where(byId.get(id)!.callFrame));
  for (const name of onStack) total.set(name, (total.get(name) ?? 0) + 1);
}

const samples = profile.samples.length;
const seconds = (profile.endTime - profile.startTime) / 1e6;
const table = (counts: Map<string, number>) =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(top))
    .map(([name, n]) => ({
      share: `${((100 * n) / samples).toFixed(1)}%`,
      ms: Math.round((n / samples) * seconds * 1000),
      name,
    }));
console.log(`${file}: ${samples} samples over ${seconds.toFixed(2)} s`);
console.log('self');
console.table(table(self));
console.log('total');
console.table(table(total));
console.log('self by package or repository folder');
console.table(table(byArea));
