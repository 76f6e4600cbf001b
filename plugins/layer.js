// @ts-check
/**
 * Serverless plugin for the Lambda layer every function runs with (Node.js 20+ runtimes, x86_64, Amazon Linux 2023).
 *
 * 1. Builds the layer before packaging into layers/runtime/build/nodejs/node_modules, the folder
 *    Lambda puts on NODE_PATH as /opt/nodejs/node_modules. It holds the preprocessing library and every
 *    module the function bundles leave out (cloud stages exclude them in serverless.yml):
 *    - bundles: one file per module; each leaves the layer's other modules external, so one copy of
 *      arquero and flechette serves the library and the functions alike. vega and vega-lite are
 *      ESM-only with top-level await (vega-canvas), so they are bundled as ESM;
 *    - copies: WebAssembly, native bindings for linux-x64-gnu only, and font files, as installed.
 * 2. Skips the framework's "was this layer uploaded already?" lookup (a CloudFormation DescribeStacks
 *    call that needs AWS credentials and network) unless the command is `deploy`, so `sls package`
 *    works offline with no credentials.
 */
const { build } = require('esbuild');
const { cpSync, mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const layerModulesDir = join(root, 'layers/runtime/build/nodejs/node_modules');

/** Modules bundled into one file each; `entry` defaults to the installed package's own entry. */
const bundles = [
  { name: '@air-quality/preprocessing', entry: join(root, 'packages/preprocessing/src/index.ts'), format: 'cjs' },
  { name: 'arquero', format: 'cjs' },
  { name: '@uwdata/flechette', format: 'cjs' },
  // vega-canvas tries `await import('canvas')` and draws without it (we render SVG only).
  { name: 'vega', format: 'esm', external: ['canvas'] },
  { name: 'vega-lite', format: 'esm' },
];

/** Packages copied as installed, only the paths (files or folders) they load at run time. */
const copies = [
  // node/parquet_wasm.js reads the .wasm beside it.
  { name: 'parquet-wasm', paths: ['package.json', 'node'] },
  // The binding is loaded from bin/napi-v6/<platform>/<arch>; adm-zip and global-agent serve its install script only.
  { name: 'onnxruntime-node', paths: ['package.json', 'dist', 'bin/napi-v6/linux/x64'] },
  { name: 'onnxruntime-common', paths: ['package.json', 'dist/cjs'] },
  { name: '@resvg/resvg-js', paths: ['package.json', 'index.js', 'js-binding.js'] },
  { name: '@resvg/resvg-js-linux-x64-gnu', paths: ['package.json', 'resvgjs.linux-x64-gnu.node'] },
  // functions/report/charts/render.ts resolves these two with require.resolve.
  { name: 'dejavu-fonts-ttf', paths: ['package.json', 'ttf/DejaVuSans.ttf', 'ttf/DejaVuSans-Bold.ttf'] },
];

/** Every module the layer provides: what cloud function bundles must exclude. */
const layerModuleNames = [...bundles, ...copies].map((m) => m.name);

/** Type declarations and source maps are not loaded at run time. */
const notRuntime = /\.(d\.ts|map)$/;

async function buildBundle(
  /** @type {{ name: string, entry?: string, format: string, external?: string[] }} */ {
    name,
    entry,
    format,
    external = [],
  },
) {
  const dir = join(layerModulesDir, name);
  const file = format === 'esm' ? 'index.mjs' : 'index.js';
  const others = bundles.map((b) => b.name).filter((other) => other !== name);
  await build({
    entryPoints: [entry ?? require.resolve(name, { paths: [root] })],
    outfile: join(dir, file),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: /** @type {'cjs' | 'esm'} */ (format),
    external: [...others, ...external],
    logLevel: 'warning',
  });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, main: file, exports: `./${file}` }, null, 2));
}

function copyPackage(/** @type {{ name: string, paths: string[] }} */ { name, paths }) {
  const from = join(root, 'node_modules', name);
  for (const path of paths) {
    cpSync(join(from, path), join(layerModulesDir, name, path), {
      recursive: true,
      filter: (source) => !notRuntime.test(source),
    });
  }
}

async function buildLayer() {
  rmSync(layerModulesDir, { recursive: true, force: true });
  mkdirSync(layerModulesDir, { recursive: true });
  await Promise.all(bundles.map(buildBundle));
  copies.forEach(copyPackage);
}

class LayerPlugin {
  /** @param {any} serverless */
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:initialize': () => this.beforePackage(),
    };
  }

  async beforePackage() {
    await buildLayer();
    this.serverless.cli.log(`Lambda layer built in ${layerModulesDir}`);
    const command = this.serverless.processedInput?.commands?.[0];
    if (command !== 'deploy') this.skipLastLayerLookup();
  }

  skipLastLayerLookup() {
    const compileLayers = this.serverless.pluginManager.plugins.find(
      (/** @type {any} */ p) => typeof p.compareWithLastLayer === 'function',
    );
    if (compileLayers) compileLayers.compareWithLastLayer = async () => undefined;
  }
}

module.exports = LayerPlugin;
module.exports.layerModuleNames = layerModuleNames;
