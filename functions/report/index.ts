export { analyse, type ReportAnalysis, type PollutantAnalysis, type ColumnCoverage } from './analyse';
export { buildReport, renderArtifacts, type Artifact } from './report';
export { resolveOptions, ReportOptionsSchema, type ReportOptions, type ReportOptionsInput } from './options';
export { defaultFontFiles, defaultRenderOptions, type RenderOptions } from './charts/render';
