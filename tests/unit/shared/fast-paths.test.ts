/**
 * The sink's fast paths (wellFormedRecord, isPlainReading) must accept only what their zod schemas accept, with the
 * same output: each is checked against its schema on the valid value and on every single-field mutation of it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kafkaRecordSchema, wellFormedRecord, type PlacedRecord } from '../../../shared/kafka-event';
import { isPlainReading, readingSchema } from '../../../shared/schemas/reading';
import { reading, record } from '../../support/kafka-records';

const ODD_VALUES: unknown[] = [
  undefined,
  null,
  '',
  'x',
  '2026-13-01T00:00:00Z',
  '2026-02-29T00:00:00Z',
  '2024-02-29T23:59:59.123+02:00',
  '00000000-0000-0000-0000-000000000000',
  'station 1',
  'a'.repeat(65),
  0,
  -1,
  1.5,
  128,
  -129,
  2 ** 60,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  [],
  [1],
  ['co_gt'],
  ['co_gt', 'nope'],
  [-128, 127],
  [255],
  {},
  { co_gt: null },
  { co_gt: 1, extra: 2 },
  { imputed: [], clipped: [] },
  { imputed: [], clipped: [], extra: [] },
  Object.create({ inherited: 1 }),
  'CREATE_TIME',
  'SOME_TIME',
];

/** The value with the field at `path` set to `replacement` (or removed, for undefined), deep-copied. */
function mutated(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let target = copy;
  for (const step of path.slice(0, -1)) target = target[step] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (replacement === undefined && !Array.isArray(target)) delete target[last];
  else target[last] = replacement;
  return copy;
}

/** Every path to a field or element of a JSON-like value, and one new field per object. */
function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return [];
  const own = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [
    ...(Array.isArray(value) ? [[...prefix, value.length]] : [[...prefix, 'extraField']]),
    ...own.flatMap((key) => [
      [...prefix, key],
      ...paths((value as Record<string | number, unknown>)[key], [...prefix, key]),
    ]),
  ];
}

function checkAgainstSchema(
  valid: unknown,
  fast: (value: unknown) => unknown,
  schema: (value: unknown) => { ok: boolean; output?: unknown },
) {
  assert.deepEqual(fast(valid), schema(valid).output, 'the fast path takes the valid value as the schema does');
  let accepted = 0;
  let tried = 0;
  for (const path of paths(valid))
    for (const replacement of ODD_VALUES) {
      const value = mutated(valid, path, replacement);
      const output = fast(value);
      tried += 1;
      if (output === undefined) continue;
      accepted += 1;
      const checked = schema(value);
      assert.ok(checked.ok, `the fast path accepts ${JSON.stringify(value)}, which the schema refuses`);
      assert.deepEqual(output, checked.output, `the outputs differ for ${JSON.stringify(value)}`);
    }
  assert.ok(accepted > 0 && accepted < tried, `${accepted} of ${tried} mutations accepted`);
}

describe('the fast paths of reading a record', () => {
  it('wellFormedRecord accepts only records kafkaRecordSchema accepts, with its output', () => {
    const valid = { ...record(7, reading('s1', 1, 0)), timestampType: 'CREATE_TIME', headers: [{ h: [-61, -85] }] };
    checkAgainstSchema(
      valid,
      (value) => wellFormedRecord(value as PlacedRecord),
      (value) => {
        const parsed = kafkaRecordSchema.safeParse(value);
        return { ok: parsed.success, output: parsed.data };
      },
    );
  });

  it('isPlainReading accepts only readings readingSchema accepts, unchanged', () => {
    checkAgainstSchema(
      JSON.parse(JSON.stringify(reading('station-1', 3, Date.UTC(2026, 0, 1)))),
      (value) => (isPlainReading(value) ? value : undefined),
      (value) => {
        const parsed = readingSchema.safeParse(value);
        return { ok: parsed.success, output: parsed.data };
      },
    );
  });
});
