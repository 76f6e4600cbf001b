// One cold invocation of a bundled handler in this (fresh) process, as Lambda or `sls invoke local` runs it:
// require the bundle (the init phase), call the handler once on the event, print the timings as JSON.
//
//   node invoke-handler.cjs <bundle.js> <export name> <event.json>
const { readFileSync } = require('node:fs');

const [bundle, name, eventFile] = process.argv.slice(2);
const context = {
  functionName: 'bench',
  functionVersion: '$LATEST',
  memoryLimitInMB: '1536',
  awsRequestId: 'bench',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
  getRemainingTimeInMillis: () => 300_000,
};
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 1000);
};

(async () => {
  // performance.now() counts from the start of the process: what comes before the bundle is Node's own start.
  const nodeReadyMs = performance.now();
  const handler = require(bundle)[name];
  const initMs = performance.now() - nodeReadyMs;
  const invoked = performance.now();
  const result = await handler(JSON.parse(readFileSync(eventFile, 'utf8')), context);
  const invokeMs = performance.now() - invoked;
  const round = (ms) => Math.round(ms);
  console.log(
    JSON.stringify({
      nodeStartMs: round(nodeReadyMs),
      initMs: round(initMs),
      invokeMs: round(invokeMs),
      cpuMs: cpuMs(),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      artifacts: result.artifacts.length,
      bytes: result.artifacts.reduce((sum, a) => sum + a.bytes, 0),
    }),
  );
  // Lambda freezes the process after the response; here open S3 sockets would keep it alive.
  process.exit(0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
