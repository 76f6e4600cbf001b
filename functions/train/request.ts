import { DEFAULT_FEATURE_COLUMNS } from '@air-quality/preprocessing';
import { z } from 'zod';
import { readingSchema } from '../../shared/schemas/reading';
import { allowed, strictRequest } from '../../shared/validation';
import { defaultGridSearchOptions, type GbtGrid } from '@air-quality/forecasting';
import { defaultRollingOriginOptions } from '@air-quality/forecasting';

/** An integer field; the message names the field and the allowed range. */
function integer(name: string, min: number, max?: number) {
  const error = allowed(
    max === undefined ? `${name} must be an integer >= ${min}` : `${name} must be an integer from ${min} to ${max}`,
  );
  const atLeast = z.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? atLeast : atLeast.max(max, { error });
}

/** A share in (0, 1]. */
function fraction(name: string) {
  const error = allowed(`${name} must be a number in (0, 1]`);
  return z.number({ error }).gt(0, { error }).max(1, { error });
}

const listOf = <T extends z.ZodType>(name: string, item: T) =>
  z
    .array(item, { error: allowed(`${name} must be a non-empty list`) })
    .min(1, { error: allowed(`${name} must be a non-empty list`) });

/** The ranges the trainer accepts, shared by the fixed options and the tuning grid. */
const TREES = [1, 2000] as const;
const MAX_DEPTH = [1, 12] as const;

/** Tree options a request may override; the rest keep the trainer's defaults. */
const gbtOptionsSchema = strictRequest({
  trees: integer('gbt.trees', ...TREES).optional(),
  learningRate: fraction('gbt.learningRate').optional(),
  maxDepth: integer('gbt.maxDepth', ...MAX_DEPTH).optional(),
  maxLeaves: integer('gbt.maxLeaves', 2, 255).optional(),
  minSamplesLeaf: integer('gbt.minSamplesLeaf', 1).optional(),
  subsample: fraction('gbt.subsample').optional(),
  colsample: fraction('gbt.colsample').optional(),
  seed: z
    .number({ error: allowed('gbt.seed must be an integer') })
    .int({ error: allowed('gbt.seed must be an integer') })
    .optional(),
});

/** What sizes a search: the grid axes a `tune` object narrows (the rest keep the default grid) and its folds. */
type SearchShape = { grid?: Partial<GbtGrid>; folds?: number };

/** The grid and folds a `tune` object searches: its axes over the default grid's, its folds or the default. */
export function searchOf(tune: SearchShape): { grid: GbtGrid; folds: number } {
  return {
    grid: { ...defaultGridSearchOptions.grid, ...tune.grid },
    folds: tune.folds ?? defaultRollingOriginOptions.folds,
  };
}

function searchSize(tune: SearchShape) {
  const { grid, folds } = searchOf(tune);
  const axes = Object.entries(grid).map(([name, values]) => `${name} ${values.length}`);
  const points = Object.values(grid).reduce((n, values) => n * values.length, 1);
  return { axes, points, folds, fits: points * folds };
}

function fitBudgetError(tune: SearchShape): string {
  const { axes, points, folds, fits } = searchSize(tune);
  return `the search has ${points} grid points (${axes.join(' × ')}) × ${folds} folds = ${fits} fits, over the limit of ${defaultGridSearchOptions.maxFits}; list fewer values in tune.grid or lower tune.folds`;
}

const tuneSearchSchema = strictRequest({
  grid: strictRequest({
    maxDepth: listOf('tune.grid.maxDepth', integer('tune.grid.maxDepth values', ...MAX_DEPTH)),
    learningRate: listOf('tune.grid.learningRate', fraction('tune.grid.learningRate values')),
    subsample: listOf('tune.grid.subsample', fraction('tune.grid.subsample values')),
    colsample: listOf('tune.grid.colsample', fraction('tune.grid.colsample values')),
  })
    .partial()
    .optional(),
  folds: integer('tune.folds', 1, 5).optional(),
  trees: integer('tune.trees', ...TREES).optional(),
})
  // Refused here, before any data is loaded, naming the request's fields (the search itself would name maxFits).
  .refine((tune) => searchSize(tune).fits <= defaultGridSearchOptions.maxFits, {
    error: (issue) => fitBudgetError(issue.input as SearchShape),
    // Only a search whose fields are valid is sized.
    when: (payload) => payload.issues.length === 0,
  });

/** `tune: true` searches the default grid; an object narrows it (and bounds its cost). */
const tuneSchema = z.union([z.boolean(), tuneSearchSchema], {
  error: allowed('tune must be true, false, or an object {grid?, folds?, trees?}'),
});

const horizonError = allowed('horizon must be an integer from 1 to 24 (hours ahead)');

const MODEL_KINDS = ['gbt', 'arima'] as const;

/** Days of event time a lake training reads when the request does not say. */
export const DEFAULT_TRAIN_DAYS = 90;

/** What a person or the daily schedule asks `train` for. Unknown fields are rejected so typos are not silently ignored. */
export const trainRequestSchema = strictRequest({
  target: z
    .enum(DEFAULT_FEATURE_COLUMNS as [string, ...string[]], {
      error: allowed(`target must be one of ${DEFAULT_FEATURE_COLUMNS.join(', ')}`),
    })
    .default('co_gt'),
  horizon: z
    .number({ error: horizonError })
    .int({ error: horizonError })
    .min(1, { error: horizonError })
    .max(24, { error: horizonError })
    .default(1),
  models: z
    .array(z.enum(MODEL_KINDS, { error: allowed(`models must list some of ${MODEL_KINDS.join(', ')}`) }))
    .min(1, { error: 'models must list at least one of gbt, arima' })
    .transform((kinds) => [...new Set(kinds)])
    .default([...MODEL_KINDS]),
  gbt: gbtOptionsSchema.default({}),
  tune: tuneSchema.default(false),
  source: z
    .enum(['reference', 'lake'], {
      error: allowed(
        'source must be "lake" (the readings sink wrote, the default) or "reference" (the staged UCI dataset)',
      ),
    })
    .default('lake'),
  /** Source "lake": the last N days of event time, up to the newest hour the lake holds (default DEFAULT_TRAIN_DAYS). */
  days: integer('days', 1, 3660).optional(),
  /** The one lake station to train on (source "lake"); by default every station, pooled. */
  stationId: readingSchema.shape.stationId.optional(),
  /** Only the most recent hours of the source: bounds the cost of a run (tests, quick checks). */
  lastHours: z
    .number({ error: allowed('lastHours must be an integer >= 500') })
    .int()
    .min(500, { error: allowed('lastHours must be an integer >= 500') })
    .optional(),
  /** false publishes the version without pointing current.json at it. */
  promote: z.boolean({ error: allowed('promote must be true or false') }).default(true),
})
  .refine((r) => r.days === undefined || r.source === 'lake', {
    path: ['days'],
    error:
      'days sets the window of the lake source; the reference dataset is used whole: drop days or use source "lake"',
  })
  .refine((r) => r.stationId === undefined || r.source === 'lake', {
    path: ['stationId'],
    error:
      'stationId selects a station of the lake; the reference dataset is one device: drop stationId or use source "lake"',
  });

export type TrainRequest = z.output<typeof trainRequestSchema>;
