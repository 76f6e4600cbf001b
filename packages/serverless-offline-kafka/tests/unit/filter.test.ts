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

  it('filters a tombstone (no value) as a record without the value field', () => {
    assert.equal(matches([{ value: [{ exists: false }] }], null), true);
    assert.equal(matches([{ value: [{ exists: true }] }], null), false);
    assert.equal(matches([{ value: { a: [{ 'anything-but': 'x' }] } }], null), false);
  });

  it('rejects operators Lambda does not list, naming the path and what it accepts', () => {
    for (const operator of ['wildcard', 'cidr']) {
      assert.throws(
        () => compileFilter([{ value: { ip: [{ [operator]: '10.0.0.0/24' }] } }]),
        (e: Error) =>
          e instanceof FilterPatternError &&
          e.message.startsWith(`value.ip: operator "${operator}" is not supported`) &&
          /"prefix".*"numeric".*"exists"/.test(e.message),
      );
    }
    assert.throws(
      () => compileFilter([{ value: { a: [{ prefix: { 'equals-ignore-case': 'ab' } }] } }]),
      /value\.a: "prefix" with \{"equals-ignore-case"\}/,
    );
    assert.throws(
      () => compileFilter([{ value: { a: [{ 'anything-but': { 'equals-ignore-case': 'ab' } }] } }]),
      /value\.a: "anything-but" takes a value/,
    );
  });

  it('rejects malformed patterns with the path inside $or and the form that works', () => {
    assert.throws(
      () => compileFilter([{ value: { n: [{ numeric: ['>'] }] } }]),
      /^FilterPatternError: value\.n: "numeric" takes \["=", n\]/,
    );
    assert.throws(
      () => compileFilter([{ value: { $or: [{ a: [1] }, { b: [{ numeric: ['<', 1, '>', 0] }] }] } }]),
      /^FilterPatternError: value\.\$or\[1\]\.b: "numeric"/,
    );
    assert.throws(() => compileFilter([{ value: { n: 'x' } }]), /value\.n: a pattern field holds a list of matchers/);
    assert.throws(() => compileFilter([{ value: { a: [] } }]), /value\.a: an empty list matches nothing/);
  });

  it('rejects fields outside "value", which Lambda does not filter Kafka records on', () => {
    assert.throws(
      () => compileFilter([{ key: ['S1'] }]),
      /^FilterPatternError: key: Lambda filters Kafka records on "value" only/,
    );
    assert.throws(
      () => compileFilter([{ $or: [{ value: { a: [1] } }, { topic: ['t'] }] }]),
      /topic: Lambda filters Kafka records on "value" only/,
    );
    assert.equal(matches([{ $or: [{ value: { a: [1] } }, { value: { b: [2] } }] }], json({ b: 2 })), true);
  });

  it("rejects more than 10 patterns (the raised quota) and a pattern over Lambda's 4096 characters, naming which pattern", () => {
    assert.throws(
      () => compileFilter(Array.from({ length: 11 }, () => ({ value: { a: [1] } }))),
      /11 filter patterns given; Lambda allows at most 10/,
    );
    assert.doesNotThrow(() => compileFilter(Array.from({ length: 10 }, () => ({ value: { a: [1] } }))));
    assert.throws(
      () => compileFilter([{ value: { a: ['x'.repeat(4096)] } }]),
      /the pattern: is 4\d{3} characters as JSON; Lambda allows at most 4096/,
    );
    assert.throws(
      () => compileFilter([{ value: { a: [1] } }, { value: { b: [{ exists: 'yes' }] } }]),
      /^FilterPatternError: \[1\] value\.b: "exists" takes true or false/,
    );
  });

  it('takes operator names literally, never from the object prototype', () => {
    assert.throws(
      () => compileFilter([{ value: { n: [{ numeric: ['constructor', 1] }] } }]),
      /"constructor" is not one of = > >= < <=/,
    );
    assert.throws(() => compileFilter([{ value: { n: [{ toString: 1 }] } }]), /operator "toString" is not supported/);
  });

  it('searches large arrays once per distinct choice of array elements', () => {
    const many = Array.from({ length: 400 }, (_, i) => i);
    const pattern = [{ value: { a: [{ exists: true }], b: [{ exists: true }], c: [{ exists: true }], d: ['x'] } }];
    assert.equal(matches(pattern, json({ a: many, b: many, c: many, d: 'y' })), false);
    assert.equal(matches(pattern, json({ a: many, b: many, c: many, d: ['y', 'x'] })), true);
    const rows = Array.from({ length: 400 }, (_, i) => ({ a: i, b: i, c: i === 399 ? 'x' : 'y' }));
    assert.equal(
      matches([{ value: { rows: { a: [{ exists: true }], b: [{ exists: true }], c: ['x'] } } }], json({ rows })),
      true,
    );
  });

  it('keeps the text of long numbers, matching them as event-ruler does', () => {
    const id = [{ value: { id: [{ numeric: ['>', 0] }] } }];
    assert.equal(matches(id, Buffer.from('{"id": 1234567890123456789}')), false);
    assert.equal(matches(id, Buffer.from('{"id": 1234567890123456}')), true);
  });
});
