import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { renderAsync } from '@resvg/resvg-js';
import type { TopLevelSpec } from 'vega-lite';
import { encodePng } from './png';

const CHART_FONT_FAMILY = 'DejaVu Sans';

/**
 * The font files charts are drawn with, from the npm package dejavu-fonts-ttf: Lambda has no
 * system fonts, so they must ship with the function (pass other paths if the bundle moves them).
 */
const defaultFontFiles = (): string[] =>
  ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((name) => require.resolve(`dejavu-fonts-ttf/ttf/${name}`));

export interface RenderOptions {
  fontFiles: string[];
  /** Pixel density: 2 keeps text sharp on high-resolution screens. */
  scale: number;
}

export const defaultRenderOptions = (): RenderOptions => ({ fontFiles: defaultFontFiles(), scale: 2 });

/**
 * import() of an ESM-only package that may live in a Lambda layer. Lambda puts the layer's
 * /opt/nodejs/node_modules on NODE_PATH, which require.resolve honours and ESM import() does not:
 * resolve the file the CommonJS way, then import it by URL.
 */
const importEsm = <T>(name: string): Promise<T> => import(pathToFileURL(require.resolve(name)).href);

// vega 6 is ESM-only with top-level await, so it cannot be require()d from CommonJS.
let modules: Promise<[typeof import('vega'), typeof import('vega-lite')]> | undefined;
const loadVega = () =>
  (modules ??= Promise.all([
    importEsm<typeof import('vega')>('vega'),
    importEsm<typeof import('vega-lite')>('vega-lite'),
  ]));

function requireReadable(files: string[]): void {
  const missing = files.filter((file) => !existsSync(file));
  if (missing.length > 0)
    throw new Error(
      `Chart fonts not found: ${missing.join(', ')}. Package dejavu-fonts-ttf's ttf files with the function or pass their paths in the chart options.`,
    );
}

/**
 * Vega-Lite spec → SVG (vega, headless renderer) → bitmap (resvg) → PNG, with bundled fonts only. resvg and
 * the PNG deflate run on libuv's thread pool, so the next chart's vega work can run on this thread meanwhile.
 */
export async function renderPng(spec: TopLevelSpec, options: RenderOptions): Promise<Uint8Array> {
  requireReadable(options.fontFiles);
  const [vega, vegaLite] = await loadVega();
  const compiled = vegaLite.compile({
    ...spec,
    // No ARIA attributes: they only reach the SVG, never the PNG, and their per-point descriptions
    // (a formatted date and number for each of a line's ~9,000 points) were a third of the SVG time.
    config: { font: CHART_FONT_FAMILY, background: 'white', aria: false, ...spec.config },
  }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const image = await renderAsync(svg, {
    font: { fontFiles: options.fontFiles, loadSystemFonts: false, defaultFontFamily: CHART_FONT_FAMILY },
    fitTo: { mode: 'zoom', value: options.scale },
  });
  // The background is white, so every pixel is opaque and resvg's bitmap is straight RGBA.
  return encodePng({ width: image.width, height: image.height, rgba: image.pixels });
}
