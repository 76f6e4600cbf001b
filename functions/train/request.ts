import { DEFAULT_FEATURE_COLUMNS } from '@air-quality/preprocessing';
import { z } from 'zod';
import { readingSchema } from '../../shared/schemas/reading';
import { allowed, strictRequest } from '../../shared/validation';

const positiveInts = (name: string) => z.array(z.number().int().min(1), { error: allowed(`${name} must be a list of integers >= 1`) }).min(1);
const fractions = (name: string) => z.array(z.number().gt(0).max(1), { error: allowed(`${name} must be a list of numbers in (0, 1]`) }).min(1);

/** Tree options a request may override; the rest keep the trainer's defaults. */
const gbtOptionsSchema = z.strictObject({
  trees: z.number().int().min(1).max(2000).optional(),
  learningRate: z.number().gt(0).max(1).optional(),
  maxDepth: z.number().int().min(1).max(12).optional(),
  maxLeaves: z.number().int().min(2).max(255).optional(),
  minSamplesLeaf: z.number().int().min(1).optional(),
  subsample: z.number().gt(0).max(1).optional(),
  colsample: z.number().gt(0).max(1).optional(),
  seed: z.number().int().optional(),
});

/** `tune: true` searches the default grid; an object narrows it (and bounds its cost). */
const tuneSchema = z.union([
  z.boolean(),
  z.strictObject({
    grid: z.strictObject({ maxDepth: positiveInts('tune.grid.maxDepth'), learningRate: fractions('tune.grid.learningRate'), subsample: fractions('tune.grid.subsample'), colsample: fractions('tune.grid.colsample') }).partial().optional(),
    folds: z.number().int().min(1).max(5).optional(),
    trees: z.number().int().min(1).max(2000).optional(),
  }),
]);

const horizonError = allowed('horizon must be an integer from 1 to 24 (hours ahead)');

const MODEL_KINDS = ['gbt', 'arima'] as const;

/** What a person or the daily schedule asks `train` for. Unknown fields are rejected so typos are not silently ignored. */
export const trainRequestSchema = strictRequest({
  target: z.enum(DEFAULT_FEATURE_COLUMNS as [string, ...string[]], { error: allowed(`target must be one of ${DEFAULT_FEATURE_COLUMNS.join(', ')}`) }).default('co_gt'),
  horizon: z.number({ error: horizonError }).int({ error: horizonError }).min(1, { error: horizonError }).max(24, { error: horizonError }).default(1),
  models: z.array(z.enum(MODEL_KINDS, { error: allowed(`models must list some of ${MODEL_KINDS.join(', ')}`) })).min(1, { error: 'models must list at least one of gbt, arima' }).transform((kinds) => [...new Set(kinds)]).default([...MODEL_KINDS]),
  gbt: gbtOptionsSchema.default({}),
  tune: tuneSchema.default(false),
  source: z.enum(['reference', 'lake'], { error: allowed('source must be "reference" (the staged UCI dataset) or "lake" (the readings sink wrote)') }).default('reference'),
  /** The lake station to train on (source "lake"); by default the one with the most readings. */
  stationId: readingSchema.shape.stationId.optional(),
  /** Only the most recent hours of the source: bounds the cost of a run (tests, quick checks). */
  lastHours: z.number({ error: allowed('lastHours must be an integer >= 500') }).int().min(500, { error: allowed('lastHours must be an integer >= 500') }).optional(),
  /** false publishes the version without pointing current.json at it. */
  promote: z.boolean({ error: allowed('promote must be true or false') }).default(true),
}).refine((r) => r.stationId === undefined || r.source === 'lake', { path: ['stationId'], error: 'stationId selects a station of the lake; the reference dataset is one device: drop stationId or use source "lake"' });

export type TrainRequest = z.output<typeof trainRequestSchema>;
