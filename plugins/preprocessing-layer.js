// @ts-check
/**
 * Serverless plugin for the preprocessing Lambda layer.
 *
 * 1. Builds the layer before packaging: each module the layer provides is bundled by esbuild into
 *    layers/preprocessing/build/nodejs/node_modules/<name>/index.js, the path Lambda resolves from
 *    /opt/nodejs/node_modules.
 * 2. Skips the framework's "was this layer uploaded already?" lookup (a CloudFormation DescribeStacks
 *    call that needs AWS credentials and network) unless the command is `deploy`, so `sls package`
 *    works offline with no credentials.
 */
const { build } = require('esbuild');
const { mkdirSync, rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const layerModulesDir = join(root, 'layers/preprocessing/build/nodejs/node_modules');

/** The modules the layer provides, and the entry each is bundled from. */
const layerModules = [
  { name: '@air-quality/preprocessing', entry: join(root, 'layers/preprocessing/src/index.ts'), external: ['arquero'] },
  { name: 'arquero', entry: require.resolve('arquero', { paths: [root] }), external: [] },
];

async function buildLayer() {
  rmSync(layerModulesDir, { recursive: true, force: true });
  for (const { name, entry, external } of layerModules) {
    const dir = join(layerModulesDir, name);
    mkdirSync(dir, { recursive: true });
    await build({ entryPoints: [entry], outfile: join(dir, 'index.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', external, logLevel: 'warning' });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, main: 'index.js' }, null, 2));
  }
}

class PreprocessingLayerPlugin {
  /** @param {any} serverless */
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:initialize': () => this.beforePackage(),
    };
  }

  async beforePackage() {
    await buildLayer();
    this.serverless.cli.log(`Preprocessing layer built in ${layerModulesDir}`);
    const command = this.serverless.processedInput?.commands?.[0];
    if (command !== 'deploy') this.skipLastLayerLookup();
  }

  skipLastLayerLookup() {
    const compileLayers = this.serverless.pluginManager.plugins.find((/** @type {any} */ p) => typeof p.compareWithLastLayer === 'function');
    if (compileLayers) compileLayers.compareWithLastLayer = async () => undefined;
  }
}

module.exports = PreprocessingLayerPlugin;
module.exports.buildLayer = buildLayer;
