// Runs one handler the way Lambda's Node.js runtime loads it: CommonJS require of <task root>/<file>.js,
// the task root being the working directory. The test copies this file outside the repository, so
// nothing here can resolve a module from the repository's node_modules.
//
//   node lambda-runtime.cjs <handler, e.g. functions/sink/handler.handler> <event.json> <result.json> <module names, comma-separated>
//
// Writes {result | error, loaded: every CommonJS file loaded, resolved: where each named module resolves}.
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const [handler, eventFile, resultFile, names] = process.argv.slice(2);
const dot = handler.lastIndexOf('.');
const context = {
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId: 'package-test',
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  getRemainingTimeInMillis: () => 300_000,
};

function resolveOrNull(name) {
  try {
    return require.resolve(name);
  } catch {
    return null;
  }
}

(async () => {
  let outcome;
  try {
    const module = require(join(process.cwd(), `${handler.slice(0, dot)}.js`));
    outcome = { result: await module[handler.slice(dot + 1)](JSON.parse(readFileSync(eventFile, 'utf8')), context) };
  } catch (error) {
    outcome = { error: String(error?.stack ?? error) };
  }
  const loaded = Object.keys(require.cache).filter((file) => file !== __filename);
  const resolved = Object.fromEntries(names.split(',').map((name) => [name, resolveOrNull(name)]));
  writeFileSync(resultFile, JSON.stringify({ ...outcome, loaded, resolved }));
  // Lambda freezes the process between events; here open Kafka/S3 sockets would keep it alive.
  process.exit(0);
})();
