/**
 * Lambda event filtering for Kafka, matched the way aws/event-ruler (AWS's matcher for these patterns) does.
 *
 * Lambda's contract (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
 * and https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html): Kafka mappings filter on `value` only,
 * the record value being matched as JSON when it is valid JSON and as a plain string otherwise; up to 10 patterns
 * per mapping (OR-ed), each at most 4096 characters (API_Filter). The operators Lambda documents are equality
 * (strings, numbers, true/false/null, "" for empty), equals-ignore-case, prefix, suffix, anything-but, numeric
 * (= or a range), exists and $or; anything else is rejected when the mapping is read.
 *
 * event-ruler's matching rules kept here (tests/fixtures/filter-conformance.json, confirmed against event-ruler
 * itself with scripts/event-ruler/conformance.sh):
 * - the event is flattened into leaves keyed by dot-joined path; objects are not values, so `exists` sees leaves
 *   only, and `{"a.b": …}` names the same field as `{"a": {"b": …}}`;
 * - arrays are "crushed": an array's elements are values of the array's own path, and a pattern field matches
 *   when any leaf does; but two fields inside objects of one array must come from the same element
 *   (rulesForJSONEvent's array consistency), `exists: false` judged against the elements chosen so far, fields
 *   taken in the order of their paths;
 * - numbers compare numerically only when their text is exactly a double (ComparableNumber), else as text;
 * - a string pattern that is an IP address matches that address however it is written (CIDR.java).
 */

export type FilterPattern = Record<string, unknown>;

/** The most filters a mapping can have once the account's quota (5 by default: a parity warning in config.ts) is raised. */
const MAX_FILTER_PATTERNS = 10;
/** Lambda's limit on one filter's Pattern string (API_Filter: Pattern, maximum length 4096). */
const MAX_PATTERN_LENGTH = 4096;

export class FilterPatternError extends Error {
  override name = 'FilterPatternError';
}

const SUPPORTED =
  'use a list of values, or {"prefix"}, {"suffix"}, {"equals-ignore-case"}, {"anything-but"}, {"numeric"} or {"exists"}';

// ---------- The record side: leaves of the flattened value ----------

/**
 * A JSON number as event-ruler sees it: compared numerically only when its text is exactly a double
 * (ComparableNumber.generate), so "1e400" or a 20-digit integer has no `value` and matches nothing numeric.
 */
class JsonNumber {
  constructor(readonly value: number | undefined) {}

  static fromText(text: string): JsonNumber {
    const value = Number(text);
    return new JsonNumber(
      Number.isFinite(value) && exactDecimal(text) === exactDecimal(String(value)) ? value : undefined,
    );
  }
}

type Membership = ReadonlyArray<readonly [array: number, element: number]>;
type Leaf = { value: string | JsonNumber | boolean | null; membership: Membership };
type Leaves = Map<string, Leaf[]>;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Both memberships agree on every array they share, i.e. the two leaves can sit in the same elements. */
function consistent(a: Membership, b: Membership): boolean {
  return (
    a.length === 0 ||
    b.length === 0 ||
    a.every(([array, element]) => b.every(([other, otherElement]) => other !== array || otherElement === element))
  );
}

/** The paths the patterns name, as a tree of steps: only these parts of a record are flattened. */
type PathTree = { path: string; steps: Map<string, PathTree> };

function pathTree(paths: Iterable<string>): PathTree {
  const root: PathTree = { path: '', steps: new Map() };
  for (const path of paths) {
    let node = root;
    for (const step of path.split('.')) {
      let next = node.steps.get(step);
      if (!next) {
        next = { path: node.path ? `${node.path}.${step}` : step, steps: new Map() };
        node.steps.set(step, next);
      }
      node = next;
    }
  }
  return root;
}

/** Where a key leads: a key holding dots ("a.b") names the same field as nested keys, as event-ruler joins paths. */
function stepInto(tree: PathTree, key: string): PathTree | undefined {
  if (!key.includes('.')) return tree.steps.get(key);
  let node: PathTree | undefined = tree;
  for (const step of key.split('.')) node = node?.steps.get(step);
  return node;
}

type Flattening = { leaves: Leaves; arrays: number };

/** Like event-ruler's Event: only objects and nested arrays record which element of an array they are in. */
function flatten(node: unknown, tree: PathTree, membership: Membership, into: Flattening): void {
  if (Array.isArray(node)) {
    const array = into.arrays++;
    node.forEach((element, index) => {
      const inside = typeof element === 'object' && element !== null && !(element instanceof JsonNumber);
      flatten(element, tree, inside ? [...membership, [array, index]] : membership, into);
    });
  } else if (isObject(node) && !(node instanceof JsonNumber)) {
    for (const key of Object.keys(node)) {
      const child = stepInto(tree, key);
      if (child) flatten(node[key], child, membership, into);
    }
  } else if (node !== undefined) {
    const leaf = { value: typeof node === 'number' ? new JsonNumber(node) : (node as Leaf['value']), membership };
    const list = into.leaves.get(tree.path);
    if (list) list.push(leaf);
    else into.leaves.set(tree.path, [leaf]);
  }
}

const fromSourceText = (_key: string, value: unknown, context?: { source?: string }) =>
  typeof value === 'number' ? JsonNumber.fromText(context?.source ?? String(value)) : value;

const isDigit = (byte: number | undefined) => byte !== undefined && byte >= 0x30 && byte <= 0x39;

/**
 * Text JSON.parse may round: 16+ digits in a row (a dot between them allowed) or a 3-digit exponent. Numbers
 * with fewer digits are exactly the double they parse to; only for the others is the 5x slower parse that reads
 * each number's source text (Node 21+ hands it to the reviver) worth it. Digits inside strings only cost that.
 */
function mayRound(bytes: Buffer): boolean {
  let digits = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (isDigit(byte)) {
      if (++digits === 16) return true;
    } else if (byte !== 0x2e) {
      digits = 0;
      if (byte === 0x65 || byte === 0x45) {
        const exponent = bytes[i + 1] === 0x2b || bytes[i + 1] === 0x2d ? i + 2 : i + 1;
        if (isDigit(bytes[exponent]) && isDigit(bytes[exponent + 1]) && isDigit(bytes[exponent + 2])) return true;
      }
    }
  }
  return false;
}

/** The event Lambda matches for a Kafka record: {"value": parsed JSON, or the plain string}; a tombstone has no value. */
function recordLeaves(value: Buffer | null, tree: PathTree): Leaves {
  const leaves: Leaves = new Map();
  if (value === null) return leaves;
  const text = value.toString('utf8');
  let parsed: unknown;
  try {
    parsed = mayRound(value) ? JSON.parse(text, fromSourceText) : JSON.parse(text);
  } catch {
    parsed = text;
  }
  flatten({ value: parsed }, tree, [], { leaves, arrays: 0 });
  return leaves;
}

// ---------- Values as event-ruler compares them ----------

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** A canonical form of a decimal's exact value ("1.50e1" and "15" give the same), for exactness checks. */
function exactDecimal(text: string): string | undefined {
  const parts = DECIMAL.exec(text);
  if (!parts) return undefined;
  const [, sign, whole, fraction = '', exponent = '0'] = parts;
  const digits = (whole + fraction).replace(/^0+/, '');
  if (digits === '') return '0';
  const significant = digits.replace(/0+$/, '');
  return `${sign}${significant}e${Number(exponent) - fraction.length + digits.length - significant.length}`;
}

const numberOf = (value: Leaf['value']): number | undefined => (value instanceof JsonNumber ? value.value : undefined);

/** IPv4 and IPv6 literals as their address (CIDR.java, after its IPv4_REGEX / IPv6_REGEX); an IPv4-mapped IPv6 address is its IPv4 address. */
function ipAddress(text: string): string | undefined {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(text)) {
    const octets = text.split('.').map(Number);
    return text.length <= 15 && octets.every((octet) => octet <= 255) ? octets.join('.') : undefined;
  }
  if (!/^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (half: string | undefined) => (half ? half.split(':') : []);
  const [head, tail] = [groupsOf(halves[0]), groupsOf(halves[1])];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  const words = groups.map((group) => parseInt(group, 16));
  const mapped = words.slice(0, 5).every((word) => word === 0) && words[5] === 0xffff;
  return mapped ? [words[6]! >> 8, words[6]! & 0xff, words[7]! >> 8, words[7]! & 0xff].join('.') : words.join(':');
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Each UTF-16 unit of the pattern as its lower or upper case form (EqualsIgnoreCaseParser), so "ß" also matches "SS". */
function ignoringCase(text: string): RegExp {
  const units = Array.from({ length: text.length }, (_, i) => {
    const [lower, upper] = [text[i]!.toLowerCase(), text[i]!.toUpperCase()];
    return lower === upper ? escapeRegExp(lower) : `(?:${escapeRegExp(lower)}|${escapeRegExp(upper)})`;
  });
  return new RegExp(`^${units.join('')}$`);
}

// ---------- The pattern side ----------

type Test = (value: Leaf['value']) => boolean;
/** One field of a (sub-)rule: its tests, OR-ed; `absent` when [{"exists": false}] is among them. */
type FieldMatcher = { tests: Test[]; absent: boolean };
/** A conjunction of fields, sorted by path as event-ruler walks them; $or alternatives become separate sub-rules. */
type SubRule = Array<readonly [path: string, matcher: FieldMatcher]>;

const isString = (value: Leaf['value']): value is string => typeof value === 'string';
const quoted = (value: unknown) => JSON.stringify(value) ?? String(value);

function fail(path: string, problem: string): never {
  throw new FilterPatternError(`${path}: ${problem}`);
}

function stringSpec(operator: string, spec: unknown, path: string): string {
  if (typeof spec !== 'string') fail(path, `"${operator}" takes a string, got ${quoted(spec)}.`);
  return spec;
}

function finiteNumber(spec: unknown, path: string, what: string): number {
  if (typeof spec !== 'number' || !Number.isFinite(spec))
    fail(path, `${what} must be a finite number, got ${quoted(spec)}.`);
  return spec;
}

type Compare = (value: number, bound: number) => boolean;
const LOWER_BOUNDS = new Map<unknown, Compare>([
  ['>', (v, b) => v > b],
  ['>=', (v, b) => v >= b],
]);
const UPPER_BOUNDS = new Map<unknown, Compare>([
  ['<', (v, b) => v < b],
  ['<=', (v, b) => v <= b],
]);

/** ["=", n], one bound, or a lower bound then an upper bound above it, as JsonRuleCompiler accepts. */
function numeric(spec: unknown, path: string): Test {
  const usage =
    '"numeric" takes ["=", n], [">" or ">=" or "<" or "<=", n], or a lower then a higher upper bound like [">", 0, "<=", 5]';
  if (!Array.isArray(spec) || (spec.length !== 2 && spec.length !== 4)) fail(path, `${usage}; got ${quoted(spec)}.`);
  const [operator, bound] = [spec[0], finiteNumber(spec[1], path, `the bound after ${quoted(spec[0])}`)];
  if (spec.length === 2) {
    const compare: Compare | undefined =
      operator === '=' ? (v, b) => v === b : (LOWER_BOUNDS.get(operator) ?? UPPER_BOUNDS.get(operator));
    if (!compare) fail(path, `${usage}; ${quoted(operator)} is not one of = > >= < <=.`);
    return (value) => {
      const number = numberOf(value);
      return number !== undefined && compare(number, bound);
    };
  }
  const [lower, upper, top] = [
    LOWER_BOUNDS.get(operator),
    UPPER_BOUNDS.get(spec[2]),
    finiteNumber(spec[3], path, `the bound after ${quoted(spec[2])}`),
  ];
  if (!lower || !upper) fail(path, `${usage}; got ${quoted(spec)}.`);
  if (!(bound < top))
    fail(path, `"numeric" range ${quoted(spec)} is empty: the lower bound must be below the upper one.`);
  return (value) => {
    const number = numberOf(value);
    return number !== undefined && lower(number, bound) && upper(number, top);
  };
}

/** Values (all strings or all numbers), or {"prefix": s} / {"suffix": s}; it needs the field present. */
function anythingBut(spec: unknown, path: string): Test {
  if (isObject(spec)) {
    const [operator, ...others] = Object.keys(spec);
    if (others.length > 0 || (operator !== 'prefix' && operator !== 'suffix')) {
      fail(
        path,
        `"anything-but" takes a value, a list of values, {"prefix": "…"} or {"suffix": "…"}; Lambda's filter syntax has no ${quoted(spec)}.`,
      );
    }
    const affix = stringSpec(operator, spec[operator], path);
    if (affix === '')
      fail(path, `"anything-but" {"${operator}": ""} excludes nothing; event-ruler rejects an empty ${operator}.`);
    return (value) => !(isString(value) && (operator === 'prefix' ? value.startsWith(affix) : value.endsWith(affix)));
  }
  const excluded = Array.isArray(spec) ? spec : [spec];
  if (excluded.length > 0 && excluded.every((item) => typeof item === 'string')) {
    const strings = new Set(excluded as string[]);
    return (value) => !(isString(value) && strings.has(value));
  }
  if (excluded.length > 0 && excluded.every((item) => typeof item === 'number')) {
    const numbers = new Set(excluded.map((item) => finiteNumber(item, path, '"anything-but" numbers')));
    return (value) => {
      const number = numberOf(value);
      return number === undefined || !numbers.has(number);
    };
  }
  fail(
    path,
    `"anything-but" values must be all strings or all numbers (not empty, true, false or null), got ${quoted(spec)}.`,
  );
}

function operatorTest(matcher: Record<string, unknown>, path: string): Test | 'absent' {
  const [operator, ...others] = Object.keys(matcher);
  if (operator === undefined || others.length > 0)
    fail(path, `a matcher object holds exactly one operator, got ${quoted(matcher)}.`);
  const spec = matcher[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (isObject(spec))
        fail(
          path,
          `"${operator}" with {"equals-ignore-case"} is event-ruler syntax that Lambda's filter rules do not list; use "equals-ignore-case" or a case-sensitive ${operator}.`,
        );
      const affix = stringSpec(operator, spec, path);
      return operator === 'prefix'
        ? (value) => isString(value) && value.startsWith(affix)
        : (value) => isString(value) && value.endsWith(affix);
    }
    case 'equals-ignore-case': {
      const pattern = ignoringCase(stringSpec(operator, spec, path));
      return (value) => isString(value) && pattern.test(value);
    }
    case 'anything-but':
      return anythingBut(spec, path);
    case 'numeric':
      return numeric(spec, path);
    case 'exists':
      if (typeof spec !== 'boolean') fail(path, `"exists" takes true or false, got ${quoted(spec)}.`);
      return spec ? () => true : 'absent';
    case 'wildcard':
    case 'cidr':
      return fail(
        path,
        `operator "${operator}" is not supported: event-ruler has it, but Lambda's filter rule syntax does not list it; ${SUPPORTED}.`,
      );
    default:
      return fail(path, `operator "${operator}" is not supported; ${SUPPORTED}.`);
  }
}

/** A literal: strings exactly (or as an IP address), numbers numerically, true/false/null as themselves. */
function literalTest(literal: unknown, path: string): Test {
  if (typeof literal === 'string') {
    const address = ipAddress(literal);
    return address === undefined
      ? (value) => value === literal
      : (value) => isString(value) && ipAddress(value) === address;
  }
  if (typeof literal === 'number') {
    const number = finiteNumber(literal, path, 'a number to match');
    return (value) => numberOf(value) === number;
  }
  if (literal === null || typeof literal === 'boolean') return (value) => value === literal;
  fail(
    path,
    `${quoted(literal)} is neither a string, number, true, false, null nor a matcher object like {"prefix": "…"}.`,
  );
}

function fieldMatcher(spec: unknown[], path: string): FieldMatcher {
  if (spec.length === 0)
    fail(path, 'an empty list matches nothing (event-ruler rejects it); list values or remove the field.');
  const matcher: FieldMatcher = { tests: [], absent: false };
  for (const item of spec) {
    const test = isObject(item) ? operatorTest(item, path) : literalTest(item, path);
    if (test === 'absent') matcher.absent = true;
    else matcher.tests.push(test);
  }
  return matcher;
}

/** Field names event-ruler refuses anywhere inside $or (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP). */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
]);

/**
 * Adds the pattern's fields under `path` to every sub-rule, in document order: a path given twice keeps the
 * later one, and each $or alternative forks the sub-rules so far (JsonRuleCompiler). `where` names the place in
 * the pattern for messages, $or alternatives included.
 */
function addFields(
  pattern: Record<string, unknown>,
  path: string,
  where: string,
  rules: Array<Map<string, FieldMatcher>>,
  insideOr: boolean,
): Array<Map<string, FieldMatcher>> {
  if (Object.keys(pattern).length === 0)
    fail(where || 'the pattern', 'an empty object matches nothing (event-ruler rejects it); add a field or remove it.');
  for (const [name, spec] of Object.entries(pattern)) {
    const [field, at] = [path ? `${path}.${name}` : name, where ? `${where}.${name}` : name];
    if (name === '$or') {
      if (!Array.isArray(spec) || spec.length < 2 || !spec.every(isObject))
        fail(at, `"$or" takes a list of at least two patterns, got ${quoted(spec)}.`);
      rules = spec.flatMap((alternative, i) =>
        addFields(
          alternative,
          path,
          `${at}[${i}]`,
          rules.map((rule) => new Map(rule)),
          true,
        ),
      );
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(name))
      fail(
        at,
        `"${name}" is an operator name, which event-ruler refuses as a field name inside "$or"; check the nesting.`,
      );
    if (Array.isArray(spec)) {
      const matcher = fieldMatcher(spec, at);
      for (const rule of rules) rule.set(field, matcher);
    } else if (isObject(spec)) {
      rules = addFields(spec, field, at, rules, insideOr);
    } else {
      fail(at, `a pattern field holds a list of matchers or a nested pattern, got ${quoted(spec)}.`);
    }
  }
  return rules;
}

function compilePattern(pattern: unknown): SubRule[] {
  if (!isObject(pattern))
    fail('the pattern', `must be an object like {"value": {"field": ["x"]}}, got ${quoted(pattern)}.`);
  const length = JSON.stringify(pattern).length;
  if (length > MAX_PATTERN_LENGTH)
    fail('the pattern', `is ${length} characters as JSON; Lambda allows at most ${MAX_PATTERN_LENGTH}.`);
  return addFields(pattern, '', '', [new Map()], false).map((rule) => {
    for (const path of rule.keys()) {
      if (path !== 'value' && !path.startsWith('value.')) {
        fail(
          path,
          'Lambda filters Kafka records on "value" only (https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html); put the field under "value".',
        );
      }
    }
    return [...rule].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  });
}

// ---------- Matching ----------

const NO_LEAVES: Leaf[] = [];

/** The elements chosen so far plus those a leaf sits in. */
function narrowed(chosen: Membership, membership: Membership): Membership {
  if (membership.length === 0) return chosen;
  if (chosen.length === 0) return membership;
  const added = membership.filter(([array]) => !chosen.some(([other]) => other === array));
  return added.length === 0 ? chosen : [...chosen, ...added];
}

/**
 * Picks, field by field, a leaf consistent with the elements chosen so far (StructuredFinder.walk). Leaves that
 * narrow nothing (values of a plain array, fields outside arrays) lead to the same remaining search, tried once.
 */
function matchesFrom(rule: SubRule, field: number, leaves: Leaves, chosen: Membership): boolean {
  if (field === rule.length) return true;
  const [path, { tests, absent }] = rule[field]!;
  let present = false;
  let triedUnchanged = false;
  for (const leaf of leaves.get(path) ?? NO_LEAVES) {
    if (!consistent(chosen, leaf.membership)) continue;
    present = true;
    const next = narrowed(chosen, leaf.membership);
    if (next === chosen && triedUnchanged) continue;
    if (!tests.some((test) => test(leaf.value))) continue;
    if (next === chosen) triedUnchanged = true;
    if (matchesFrom(rule, field + 1, leaves, next)) return true;
  }
  return absent && !present && matchesFrom(rule, field + 1, leaves, chosen);
}

/** Validates the patterns once and returns one predicate on a record's value; no pattern keeps every record. */
export function compileFilter(patterns: readonly FilterPattern[]): (value: Buffer | null) => boolean {
  if (patterns.length > MAX_FILTER_PATTERNS)
    throw new FilterPatternError(
      `${patterns.length} filter patterns given; Lambda allows at most ${MAX_FILTER_PATTERNS} per event source mapping (5 unless the account's quota was raised).`,
    );
  if (patterns.length === 0) return () => true;
  const rules = patterns.flatMap((pattern, i) => {
    try {
      return compilePattern(pattern);
    } catch (error) {
      if (error instanceof FilterPatternError && patterns.length > 1) error.message = `[${i}] ${error.message}`;
      throw error;
    }
  });
  const tree = pathTree(rules.flatMap((rule) => rule.map(([path]) => path)));
  return (value) => {
    const leaves = recordLeaves(value, tree);
    return rules.some((rule) => matchesFrom(rule, 0, leaves, []));
  };
}
