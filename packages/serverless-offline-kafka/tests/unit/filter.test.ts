import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilter, FilterPatternError } from '../../src/filter';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const matches = (patterns: Record<string, unknown>[], value: Buffer | null) => compileFilter(patterns)(value);

describe('compileFilter', () => {
  it('keeps every record when there is no pattern', () => {
    assert.equal(matches([], json({ a: 1 })), true);
    assert.equal(matches([], null), true);
  });

  it('matches equality on strings, numbers, booleans and null, nested fields included', () => {
    const pattern = { value: { station: ['S1', 'S2'], reading: { valid: [true] }, co: [2.5], note: [null] } };
    assert.equal(matches([pattern], json({ station: 'S2', reading: { valid: true }, co: 2.5, note: null })), true);
    assert.equal(matches([pattern], json({ station: 'S3', reading: { valid: true }, co: 2.5, note: null })), false);
    assert.equal(matches([pattern], json({ station: 'S1', reading: { valid: false }, co: 2.5, note: null })), false);
    assert.equal(matches([pattern], json({ station: 'S1', reading: { valid: true }, co: 2.5 })), false);
  });

  it('matches prefix, suffix and equals-ignore-case', () => {
    assert.equal(matches([{ value: { id: [{ prefix: 'AB' }] } }], json({ id: 'AB12' })), true);
    assert.equal(matches([{ value: { id: [{ prefix: 'AB' }] } }], json({ id: 'XAB' })), false);
    assert.equal(matches([{ value: { file: [{ suffix: '.png' }] } }], json({ file: 'a.png' })), true);
    assert.equal(matches([{ value: { state: [{ 'equals-ignore-case': 'ok' }] } }], json({ state: 'OK' })), true);
  });

  it('matches anything-but on values, lists, prefixes and suffixes, never on a missing field', () => {
    assert.equal(matches([{ value: { s: [{ 'anything-but': 'init' }] } }], json({ s: 'run' })), true);
    assert.equal(matches([{ value: { s: [{ 'anything-but': 'init' }] } }], json({ s: 'init' })), false);
    assert.equal(matches([{ value: { s: [{ 'anything-but': ['a', 'b'] }] } }], json({ s: 'b' })), false);
    assert.equal(matches([{ value: { s: [{ 'anything-but': { prefix: 'us-' } }] } }], json({ s: 'eu-west' })), true);
    assert.equal(matches([{ value: { s: [{ 'anything-but': { suffix: '.tmp' } }] } }], json({ s: 'x.tmp' })), false);
    assert.equal(matches([{ value: { s: [{ 'anything-but': 'init' }] } }], json({})), false);
  });

  it('matches numeric ranges', () => {
    const pattern = [{ value: { co: [{ numeric: ['>', 0, '<=', 5] }] } }];
    assert.equal(matches(pattern, json({ co: 5 })), true);
    assert.equal(matches(pattern, json({ co: 0 })), false);
    assert.equal(matches(pattern, json({ co: '3' })), false);
    assert.equal(matches([{ value: { n: [{ numeric: ['=', 7] }] } }], json({ n: 7 })), true);
  });

  it('matches exists true and false', () => {
    assert.equal(matches([{ value: { flag: [{ exists: true }] } }], json({ flag: 0 })), true);
    assert.equal(matches([{ value: { flag: [{ exists: true }] } }], json({})), false);
    assert.equal(matches([{ value: { flag: [{ exists: false }] } }], json({})), true);
  });

  it('matches when any element of an array field matches', () => {
    assert.equal(matches([{ value: { tags: ['hot'] } }], json({ tags: ['cold', 'hot'] })), true);
    assert.equal(matches([{ value: { tags: ['hot'] } }], json({ tags: ['cold'] })), false);
  });

  it('ORs patterns and $or alternatives', () => {
    const patterns = [{ value: { a: [1] } }, { value: { b: [2] } }];
    assert.equal(matches(patterns, json({ b: 2 })), true);
    assert.equal(matches(patterns, json({ a: 2, b: 1 })), false);
    const or = [{ value: { $or: [{ a: [1] }, { b: [{ numeric: ['>', 10] }] }] } }];
    assert.equal(matches(or, json({ b: 11 })), true);
    assert.equal(matches(or, json({ b: 10 })), false);
  });

  it('filters a plain-string value as a string', () => {
    assert.equal(matches([{ value: [{ prefix: 'hello' }] }], Buffer.from('hello world')), true);
    assert.equal(matches([{ value: { field: ['x'] } }], Buffer.from('not json')), false);
  });

  it('rejects unsupported operators, malformed ranges and more than 5 patterns with the fix', () => {
    assert.throws(() => compileFilter([{ value: { ip: [{ cidr: '10.0.0.0/24' }] } }]), (e: Error) => e instanceof FilterPatternError && /cidr.*not supported/.test(e.message));
    assert.throws(() => compileFilter([{ value: { n: [{ numeric: ['>'] }] } }]), /takes pairs/);
    assert.throws(() => compileFilter([{ value: { n: 'x' } }]), /list of matchers/);
    assert.throws(() => compileFilter(Array.from({ length: 6 }, () => ({ value: { a: [1] } }))), /at most 5/);
  });
});
