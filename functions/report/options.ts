import { z } from 'zod';

const odd = (name: string) =>
  z
    .number()
    .int()
    .min(3)
    .refine((v) => v % 2 === 1, `${name} must be odd`);
const columnId = z.string().regex(/^[a-z0-9_]+$/, 'column ids are lower-case letters, digits and _ (e.g. co_gt)');

/** Report settings; every field has a default, and statsmodels' STL defaults apply to what is left out. */
export const ReportOptionsSchema = z
  .object({
    /** Columns analysed one by one: patterns, ACF/PACF, STL, anomalies. */
    pollutants: z.array(columnId).min(1).default(['co_gt', 'c6h6_gt', 'nox_gt', 'no2_gt']),
    /** Columns of the correlation matrix; default: every catalogued measure present in the table. */
    measures: z.array(columnId).min(2).optional(),
    /** Columns missing in more than this share of hours are excluded (and named in the summary). */
    maxMissingFraction: z.number().min(0).max(1).default(0.5),
    period: z.number().int().min(2).default(24),
    nlags: z.number().int().min(1).default(48),
    /** 1 − confidence level of the ACF/PACF bands. */
    alpha: z.number().gt(0).lt(1).default(0.05),
    anomalyThreshold: z.number().positive().default(3.5),
    stl: z
      .object({
        seasonal: odd('seasonal').default(7),
        trend: odd('trend').optional(),
        lowPass: odd('lowPass').optional(),
        robust: z.boolean().default(false),
      })
      .strict()
      .default({ seasonal: 7, robust: false }),
  })
  .strict();

export type ReportOptions = z.infer<typeof ReportOptionsSchema>;
export type ReportOptionsInput = z.input<typeof ReportOptionsSchema>;

export function resolveOptions(input: ReportOptionsInput = {}): ReportOptions {
  const parsed = ReportOptionsSchema.safeParse(input);
  if (!parsed.success) throw new Error(`Invalid report options:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
