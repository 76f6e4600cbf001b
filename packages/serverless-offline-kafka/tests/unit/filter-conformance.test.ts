/**
 * Runs tests/fixtures/filter-conformance.json: cases derived from aws/event-ruler's tests and README, each
 * expectation confirmed by event-ruler itself (scripts/event-ruler/conformance.sh).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileFilter, FilterPatternError, type FilterPattern } from '../../src/filter';

type ConformanceCase = {
  name: string;
  source: string;
  pattern: FilterPattern;
  value?: unknown;
  valueText?: string;
  matches?: boolean;
  rejected?: true;
};

const { cases } = JSON.parse(readFileSync(join(__dirname, '../fixtures/filter-conformance.json'), 'utf8')) as {
  cases: ConformanceCase[];
};
const recordValue = (c: ConformanceCase) => Buffer.from(c.valueText ?? JSON.stringify(c.value));

describe('filter conformance with aws/event-ruler', () => {
  for (const c of cases) {
    it(`${c.name} [${c.source}]`, () => {
      if (c.rejected) {
        assert.throws(() => compileFilter([c.pattern]), FilterPatternError);
      } else {
        assert.equal(compileFilter([c.pattern])(recordValue(c)), c.matches);
      }
    });
  }
});
