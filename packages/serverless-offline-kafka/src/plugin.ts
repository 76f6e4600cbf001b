/**
 * The Serverless plugin: reads the service's `kafka`/`msk` events, runs one MappingWorker per event, and invokes
 * handlers through serverless-offline's own runner (same worker threads, environment and timeouts as HTTP events).
 * List it before serverless-offline in `plugins`, and run `sls offline start`.
 */
import type Lambda from 'serverless-offline/lambda';
import { readMappings, type PluginSettings } from './config';
import type { LambdaKafkaEvent } from './event';
import { formatInvocation } from './log';
import { MappingWorker } from './worker';

interface Log {
  notice(message: string): void;
  warning(message: string): void;
}

/** The part of the Serverless instance this plugin reads. */
interface Serverless {
  service: {
    service: string;
    provider: { stage: string };
    custom?: { 'serverless-offline-kafka'?: PluginSettings; 'serverless-offline'?: Record<string, unknown> };
    functions: Record<string, { events?: ReadonlyArray<Record<string, unknown>> }>;
    getFunction(functionKey: string): unknown;
  };
}

/**
 * serverless-offline's defaults for the options its runner reads; they are not exported, and the plugin
 * gives the runner the same options serverless-offline would (defaults < custom.serverless-offline < CLI).
 */
const RUNNER_DEFAULTS = {
  dockerHost: 'localhost',
  dockerHostServicePath: null,
  dockerNetwork: null,
  dockerReadOnly: true,
  host: 'localhost',
  layersDir: null,
  localEnvironment: false,
  localLayers: {},
  noTimeout: false,
  reloadHandler: false,
  terminateIdleLambdaTime: 60,
  useDocker: false,
  useInProcess: false,
};

export default class ServerlessOfflineKafka {
  readonly hooks: Record<string, () => Promise<void>> = {
    'offline:start:init': () => this.start(),
    'offline:start:end': () => this.stop(),
    'offline:functionsUpdated:cleanup': () => this.dropStaleHandlers(),
  };

  private workers: MappingWorker[] = [];
  private runner: Lambda | undefined;
  private readonly log: Log;

  constructor(
    private readonly serverless: Serverless,
    private readonly cliOptions: Record<string, unknown> = {},
    utils?: { log: Log },
  ) {
    this.log = utils?.log ?? { notice: (message) => console.log(message), warning: (message) => console.warn(message) };
  }

  private async start(): Promise<void> {
    const { service } = this.serverless;
    const settings = service.custom?.['serverless-offline-kafka'] ?? {};
    const { mappings, warnings } = readMappings({ service: service.service, stage: service.provider.stage, functions: service.functions }, settings);
    // The other settings (partitionConcurrency, retry, sessionTimeoutMs, shutdownTimeoutMs) are worker options of the same names.
    const { bootstrapServers, defaultOnFailureDestination, accessConfigurations, secretsFile, ...workerSettings } = settings;
    warnings.forEach((warning) => this.log.warning(warning));
    if (mappings.length === 0) return;

    const { default: LambdaRunner } = await import('serverless-offline/lambda');
    const runner = new LambdaRunner(this.serverless, { ...RUNNER_DEFAULTS, ...service.custom?.['serverless-offline'], ...this.cliOptions });
    runner.create([...new Set(mappings.map((m) => m.functionKey))].map((functionKey) => ({ functionKey, functionDefinition: service.getFunction(functionKey) })));
    this.runner = runner;

    this.workers = mappings.map(
      (mapping) =>
        new MappingWorker({
          ...workerSettings,
          mapping,
          handler: (event) => invoke(runner, mapping.functionKey, event),
          onInvocation: (summary) => this.log.notice(formatInvocation(summary)),
          warn: (line) => this.log.warning(line),
        }),
    );
    await Promise.all(this.workers.map((worker) => worker.start()));
    for (const { functionKey, topic, consumerGroupId, batchSize, maximumBatchingWindowMs } of mappings) {
      this.log.notice(`kafka λ ${functionKey} ← ${topic} (group ${consumerGroupId}, batch ${batchSize}, window ${maximumBatchingWindowMs} ms)`);
    }
  }

  private async stop(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
    this.workers = [];
    await this.runner?.cleanup();
  }

  /** After a rebuild (serverless-esbuild watch), the next invocation loads the new handler code. */
  private async dropStaleHandlers(): Promise<void> {
    await this.runner?.cleanup();
  }
}

/** `get` hands out an idle handler instance; setEvent and runHandler follow at once so no other lane can take it. */
function invoke(runner: Lambda, functionKey: string, event: LambdaKafkaEvent): Promise<unknown> {
  const lambdaFunction = runner.get(functionKey);
  lambdaFunction.setEvent(event);
  return lambdaFunction.runHandler();
}
