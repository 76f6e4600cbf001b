/**
 * Lambda event filtering for Kafka: EventBridge pattern syntax applied to `{ value }`, where value is the
 * record's JSON-parsed value (or the plain string when it is not JSON). Patterns are OR-ed.
 *
 * Hand-written because no maintained JavaScript matcher for EventBridge patterns exists on npm (AWS's own
 * is the Java event-ruler). It implements the operators Lambda documents for filtering: equality (string,
 * number, boolean, null), prefix, suffix, equals-ignore-case, anything-but (values, prefix, suffix),
 * numeric ranges, exists, and $or. Anything else is rejected when the mapping is read.
 */

export type FilterPattern = Record<string, unknown>;
type Predicate = (value: unknown) => boolean;

/** Lambda's limit on filters per event source mapping. */
export const MAX_FILTER_PATTERNS = 5;

export class FilterPatternError extends Error {
  override name = 'FilterPatternError';
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const comparators: Record<string, (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

function numeric(spec: unknown, path: string): Predicate {
  if (!Array.isArray(spec) || spec.length === 0 || spec.length % 2 !== 0) throw new FilterPatternError(`${path}: "numeric" takes pairs like [">", 0, "<=", 5].`);
  const checks: Array<(value: number) => boolean> = [];
  for (let i = 0; i < spec.length; i += 2) {
    const compare = comparators[spec[i] as string];
    const bound = spec[i + 1];
    if (!compare || typeof bound !== 'number') throw new FilterPatternError(`${path}: "numeric" needs an operator (${Object.keys(comparators).join(' ')}) followed by a number, got ${JSON.stringify(spec.slice(i, i + 2))}.`);
    checks.push((value: number) => compare(value, bound));
  }
  return (value) => typeof value === 'number' && checks.every((check) => check(value));
}

function stringTest(operator: 'prefix' | 'suffix', spec: unknown, path: string): Predicate {
  if (typeof spec !== 'string') throw new FilterPatternError(`${path}: "${operator}" takes a string, got ${JSON.stringify(spec)}.`);
  return (value) => typeof value === 'string' && (operator === 'prefix' ? value.startsWith(spec) : value.endsWith(spec));
}

const isLiteral = (value: unknown): boolean => value === null || ['string', 'number', 'boolean'].includes(typeof value);

function anythingBut(spec: unknown, path: string): Predicate {
  if (isObject(spec)) {
    const [operator, ...others] = Object.keys(spec);
    if (others.length > 0 || (operator !== 'prefix' && operator !== 'suffix')) throw new FilterPatternError(`${path}: "anything-but" takes a value, a list of values, or {"prefix": ...} / {"suffix": ...}.`);
    const inner = stringTest(operator, spec[operator], path);
    return (value) => typeof value === 'string' && !inner(value);
  }
  const excluded = Array.isArray(spec) ? spec : [spec];
  if (!excluded.every(isLiteral)) throw new FilterPatternError(`${path}: "anything-but" values must be strings, numbers, booleans or null.`);
  return (value) => value !== undefined && !excluded.includes(value);
}

function operatorMatcher(matcher: Record<string, unknown>, path: string): Predicate {
  const [operator, ...others] = Object.keys(matcher);
  if (operator === undefined || others.length > 0) throw new FilterPatternError(`${path}: each matcher object holds exactly one operator, got ${JSON.stringify(matcher)}.`);
  const spec = matcher[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return stringTest(operator, spec, path);
    case 'equals-ignore-case':
      if (typeof spec !== 'string') throw new FilterPatternError(`${path}: "equals-ignore-case" takes a string.`);
      return (value) => typeof value === 'string' && value.toLowerCase() === spec.toLowerCase();
    case 'anything-but':
      return anythingBut(spec, path);
    case 'numeric':
      return numeric(spec, path);
    case 'exists':
      if (typeof spec !== 'boolean') throw new FilterPatternError(`${path}: "exists" takes true or false.`);
      return (value) => (value !== undefined) === spec;
    default:
      throw new FilterPatternError(`${path}: operator "${operator}" is not supported; use equality, prefix, suffix, equals-ignore-case, anything-but, numeric or exists.`);
  }
}

/** A leaf: a list of matchers, OR-ed. An array value in the input matches when any element does. */
function leafMatcher(matchers: unknown[], path: string): Predicate {
  if (matchers.length === 0) throw new FilterPatternError(`${path}: an empty matcher list matches nothing; remove the field or list values.`);
  const tests = matchers.map((matcher): { test: Predicate; existence: boolean } => {
    if (isObject(matcher)) return { test: operatorMatcher(matcher, path), existence: 'exists' in matcher };
    if (!isLiteral(matcher)) throw new FilterPatternError(`${path}: ${JSON.stringify(matcher)} is neither a value nor a matcher object.`);
    return { test: (value) => value === matcher, existence: false };
  });
  return (value) =>
    tests.some(({ test, existence }) => (Array.isArray(value) && !existence ? value.some((element) => test(element)) : test(value)));
}

function objectMatcher(pattern: Record<string, unknown>, path: string): Predicate {
  const fields = Object.entries(pattern).map(([name, spec]): Predicate => {
    const at = path ? `${path}.${name}` : name;
    if (name === '$or') {
      if (!Array.isArray(spec) || spec.length < 2 || !spec.every(isObject)) throw new FilterPatternError(`${at}: "$or" takes a list of at least two patterns.`);
      const alternatives = spec.map((alternative, i) => objectMatcher(alternative, `${at}[${i}]`));
      return (input) => alternatives.some((alternative) => alternative(input));
    }
    if (Array.isArray(spec)) {
      const leaf = leafMatcher(spec, at);
      return (input) => leaf(isObject(input) ? input[name] : undefined);
    }
    if (isObject(spec)) {
      const nested = objectMatcher(spec, at);
      return (input) => isObject(input) && nested(input[name]);
    }
    throw new FilterPatternError(`${at}: a pattern field holds a list of matchers or a nested pattern, got ${JSON.stringify(spec)}.`);
  });
  return (input) => fields.every((field) => field(input));
}

/** Lambda filters Kafka records on `value` only: the parsed JSON when it is JSON, else the string. */
function filterInput(value: Buffer | null): { value: unknown } {
  if (value === null) return { value: undefined };
  const text = value.toString('utf8');
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { value: text };
  }
}

/** Validates the patterns and returns one predicate on a record's value; no pattern keeps every record. */
export function compileFilter(patterns: readonly FilterPattern[]): (value: Buffer | null) => boolean {
  if (patterns.length > MAX_FILTER_PATTERNS) throw new FilterPatternError(`${patterns.length} filter patterns given; Lambda allows at most ${MAX_FILTER_PATTERNS} per event source mapping.`);
  if (patterns.length === 0) return () => true;
  const predicates = patterns.map((pattern, i) => {
    if (!isObject(pattern)) throw new FilterPatternError(`filterPatterns[${i}] must be an object like {"value": {"field": ["x"]}}.`);
    return objectMatcher(pattern, '');
  });
  return (value) => {
    const input = filterInput(value);
    return predicates.some((predicate) => predicate(input));
  };
}
