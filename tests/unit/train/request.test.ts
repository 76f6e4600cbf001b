import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trainRequestSchema } from '../../../functions/train/request';
import { InvalidPayloadError, parsePayload } from '../../../shared/middleware';

const parse = (event: unknown) => parsePayload(trainRequestSchema, event);

describe('train request limits', () => {
  it('accepts the default search and a narrowed one within the fit budget', () => {
    assert.equal(parse({ tune: true }).tune, true);
    // 2 grid points × 5 folds.
    assert.deepEqual(parse({ tune: { grid: { maxDepth: [3], learningRate: [0.1], subsample: [1] }, folds: 5 } }).tune, {
      grid: { maxDepth: [3], learningRate: [0.1], subsample: [1] },
      folds: 5,
    });
  });

  const bad: [string, unknown, RegExp][] = [
    [
      'a search over the fit budget, before any data is loaded',
      { tune: { folds: 5 } },
      /^Invalid payload: tune: the search has 16 grid points \(maxDepth 2 × learningRate 2 × subsample 2 × colsample 2\) × 5 folds = 80 fits, over the limit of 64; list fewer values in tune\.grid or lower tune\.folds$/,
    ],
    [
      'too many folds, without sizing the search',
      { tune: { folds: 7 } },
      /^Invalid payload: tune\.folds: tune\.folds must be an integer from 1 to 5, got 7$/,
    ],
    [
      'a grid depth the trainer refuses',
      { tune: { grid: { maxDepth: [3, 40] } } },
      /tune\.grid\.maxDepth\.1: tune\.grid\.maxDepth values must be an integer from 1 to 12, got 40/,
    ],
    [
      'an empty grid axis',
      { tune: { grid: { subsample: [] } } },
      /tune\.grid\.subsample must be a non-empty list, got \[\]/,
    ],
    ['an unknown tune field', { tune: { foldz: 2 } }, /tune: unknown field\(s\) foldz; allowed: grid, folds, trees/],
    [
      'tune of the wrong type',
      { tune: 'yes' },
      /tune must be true, false, or an object \{grid\?, folds\?, trees\?\}, got "yes"/,
    ],
    [
      'tree options out of range',
      { gbt: { trees: 3000, learningRate: 0 } },
      /gbt\.trees must be an integer from 1 to 2000, got 3000; gbt\.learningRate: gbt\.learningRate must be a number in \(0, 1\], got 0/,
    ],
    [
      'an unknown tree option',
      { gbt: { depth: 3 } },
      /gbt: unknown field\(s\) depth; allowed: trees, learningRate, maxDepth/,
    ],
  ];
  for (const [name, payload, message] of bad) {
    it(`refuses ${name}, naming the field and what is allowed`, () => {
      assert.throws(
        () => parse(payload),
        (error: Error) => error instanceof InvalidPayloadError && message.test(error.message),
      );
    });
  }
});
