/**
 * Differential check against aws/event-ruler: writes random patterns and record values with the emulator's answer
 * for each, in the conformance fixture's format, for conformance.sh to run through event-ruler itself:
 *   npx tsx scripts/event-ruler/random-cases.ts /tmp/random-cases.json 20000 [seed]
 *   scripts/event-ruler/conformance.sh /tmp/random-cases.json
 * Values are drawn from the corners where matchers disagree: number spellings, long numbers, IP spellings, case,
 * dotted keys, arrays of objects with missing fields, $or.
 */
import { writeFileSync } from 'node:fs';
import { compileFilter, type FilterPattern } from '../../src/filter';

const [output = '/tmp/random-cases.json', count = '10000', seedText = '1'] = process.argv.slice(2);
let seed = Number(seedText);
const random = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const times = <T>(most: number, make: () => T): T[] => Array.from({ length: Math.floor(random() * (most + 1)) }, make);

const keys = ['a', 'b', 'c', 'a.b'];
const strings = ['x', 'X', 'xy', '', 'ß', 'SS', '10.0.0.1', '10.0.0.01', '::1', '0::1', 'abc'];
const numberTexts = ['1', '1.0', '5', '300', '3.0e2', '-0', '2.5', '1e400', '12345678901234567891', '0.1', '-7'];
const numbers = [1, 5, 300, 0, 2.5, -7, 0.1];

function valueText(depth: number): string {
  const kind = depth > 2 ? 0 : random();
  if (kind < 0.35) return pick([JSON.stringify(pick(strings)), pick(numberTexts), pick(['true', 'false', 'null'])]);
  if (kind < 0.65) return `[${times(3, () => valueText(depth + 1)).join(',')}]`;
  const fields = new Map(times(3, () => [pick(keys), valueText(depth + 1)] as const));
  return `{${[...fields].map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;
}

function matcher(): unknown {
  return pick<() => unknown>([
    () => pick(strings),
    () => pick(numbers),
    () => pick([true, false, null]),
    () => ({ prefix: pick(strings) }),
    () => ({ suffix: pick(strings) }),
    () => ({ 'equals-ignore-case': pick(strings) }),
    () => ({
      'anything-but': pick<unknown>([
        pick(strings),
        [pick(strings), pick(strings)],
        pick(numbers),
        { prefix: 'x' },
        { suffix: 'y' },
      ]),
    }),
    () => ({
      numeric: pick([
        ['=', pick(numbers)],
        [pick(['<', '<=', '>', '>=']), pick(numbers)],
        ['>=', -1, '<', pick([1, 5, 300])],
      ]),
    }),
    () => ({ exists: random() < 0.5 }),
  ])();
}

function pattern(depth: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (let i = 0; i <= Math.floor(random() * 3); i++) {
    const kind = random();
    if (kind < 0.12 && depth < 2) fields.$or = [pattern(depth + 1), pattern(depth + 1)];
    else fields[pick(keys)] = kind < 0.35 && depth < 2 ? pattern(depth + 1) : [matcher(), ...times(1, matcher)];
  }
  return fields;
}

const cases = Array.from({ length: Number(count) }, (_, i) => {
  const filter: FilterPattern = { value: random() < 0.1 ? [matcher()] : pattern(0) };
  const text = random() < 0.05 ? pick(strings) : valueText(0);
  try {
    return {
      name: `random ${i}`,
      source: `random-cases.ts seed ${seedText}`,
      pattern: filter,
      valueText: text,
      matches: compileFilter([filter])(Buffer.from(text)),
    };
  } catch {
    return {
      name: `random ${i}`,
      source: `random-cases.ts seed ${seedText}`,
      pattern: filter,
      valueText: text,
      rejected: true,
    };
  }
});
writeFileSync(output, JSON.stringify({ cases }));
console.log(`${cases.length} cases (${cases.filter((c) => c.matches).length} matching) written to ${output}`);
