/**
 * One full report (analysis + every artifact) on the whole UCI dataset.
 *   npx tsx bench/report.ts     → prints the figures and writes bench/results/report.json
 */
import { saveResult } from './support/results';
import { parseAirQuality } from '@air-quality/preprocessing';
import { analyse } from '../functions/report/analyse';
import { resolveOptions } from '../functions/report/options';
import { renderArtifacts } from '../functions/report/report';
import { readDatasetText } from '../tests/support/dataset';

async function main(): Promise<void> {
  const table = parseAirQuality(readDatasetText());
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const analysis = analyse(table, resolveOptions());
  const analysed = performance.now();
  const artifacts = await renderArtifacts(analysis);
  const finished = performance.now();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const result = {
    rows: table.numRows(),
    artifacts: artifacts.length,
    totalBytes: artifacts.reduce(
      (sum, a) => sum + (typeof a.body === 'string' ? Buffer.byteLength(a.body) : a.body.length),
      0,
    ),
    analysisMs: Math.round(analysed - started),
    renderMs: Math.round(finished - analysed),
    wallMs: Math.round(finished - started),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
  };
  console.table(result);
  saveResult('report', result);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
