/**
 * The Serverless plugin: reads the service's `kafka`/`msk` events, runs one MappingWorker per event, and invokes
 * handlers through serverless-offline's own runner (same worker threads, environment and timeouts as HTTP events).
 * List it before serverless-offline in `plugins`, and run `sls offline start`.
 */
import type Lambda from 'serverless-offline/lambda';
import { KafkaAccessError } from './access';
import { completeEventSourceMappings } from './cloudformation';
import { KafkaConfigError, readEvents, readMappings, type EventSettings, type PluginSettings } from './config';
import type { LambdaKafkaEvent } from './event';
import { formatInvocation } from './log';
import { defineEventProperties, type ConfigSchemaHandler } from './schema';
import { MappingWorker } from './worker';

interface Log {
  notice(message: string): void;
  warning(message: string): void;
}

/** osls's names for compiled resources (lib/plugins/aws/lib/naming.js). */
interface Naming {
  getKafkaEventLogicalId(functionKey: string, topic: string): string;
  getMSKEventLogicalId(functionKey: string, clusterNameToken: string, topic: string): string;
}

/** The part of the Serverless instance this plugin reads. */
interface Serverless {
  service: {
    service: string;
    provider: {
      stage: string;
      timeout?: number;
      compiledCloudFormationTemplate: Parameters<typeof completeEventSourceMappings>[0];
    };
    custom?: { 'serverless-offline-kafka'?: PluginSettings; 'serverless-offline'?: Record<string, unknown> };
    functions: Record<string, { timeout?: number; events?: ReadonlyArray<Record<string, unknown>> }>;
    getFunction(functionKey: string): unknown;
  };
  configSchemaHandler?: ConfigSchemaHandler;
  getProvider(name: 'aws'): { naming: Naming };
  /** ServerlessError: reported as a configuration/user error, without a stack trace. */
  classes?: { Error?: new (message: string) => Error };
}

/**
 * After a mapping failed to start and everything of ours is stopped, osls reports the error and would exit, but
 * another plugin's file watcher (serverless-esbuild's) can hold the process open: exit once osls had time to print.
 */
const EXIT_AFTER_FAILURE_MS = 2000;

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
    'after:package:compileEvents': async () => this.completeTemplate(),
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
    if (serverless.configSchemaHandler) defineEventProperties(serverless.configSchemaHandler);
  }

  /** Deployed = local: adds to osls's compiled mappings what it leaves out (cloudformation.ts). */
  private completeTemplate(): void {
    const { service } = this.serverless;
    const events = this.asUserError(() => readEvents(service.functions));
    if (events.length === 0) return;
    const naming = this.serverless.getProvider('aws').naming;
    const logicalId = ({ kind, functionKey, topic, event }: EventSettings) =>
      kind === 'kafka'
        ? naming.getKafkaEventLogicalId(functionKey, topic)
        : naming.getMSKEventLogicalId(functionKey, mskClusterNameToken(event.arn), topic);
    completeEventSourceMappings(service.provider.compiledCloudFormationTemplate, events, logicalId);
  }

  private async start(): Promise<void> {
    const { service } = this.serverless;
    const settings = service.custom?.['serverless-offline-kafka'] ?? {};
    const description = {
      service: service.service,
      stage: service.provider.stage,
      timeout: service.provider.timeout,
      functions: service.functions,
    };
    const { mappings, warnings } = this.asUserError(() => readMappings(description, settings));
    // The other settings (partitionConcurrency, retry, sessionTimeoutMs, shutdownTimeoutMs, startTimeoutMs) are worker options of the same names.
    const { bootstrapServers, accessConfigurations, secretsFile, ...workerSettings } = settings;
    for (const warning of warnings) this.log.warning(warning);
    if (mappings.length === 0) return;

    const { default: LambdaRunner } = await import('serverless-offline/lambda');
    const runner = new LambdaRunner(this.serverless, {
      ...RUNNER_DEFAULTS,
      ...service.custom?.['serverless-offline'],
      ...this.cliOptions,
    });
    runner.create(
      [...new Set(mappings.map((m) => m.functionKey))].map((functionKey) => ({
        functionKey,
        functionDefinition: service.getFunction(functionKey),
      })),
    );
    this.runner = runner;

    this.workers = mappings.map(
      (mapping) =>
        new MappingWorker({
          ...workerSettings,
          mapping,
          handler: (event) => invoke(runner, mapping.functionKey, event),
          onInvocation: (summary) => this.log.notice(formatInvocation(summary)),
          warn: (line) => this.log.warning(line),
          onMetrics: (report) => this.log.notice(report.summary),
        }),
    );
    try {
      await Promise.all(this.workers.map((worker) => worker.start()));
    } catch (error) {
      // stop() also makes the starts still waiting give up, so nothing of ours keeps the process alive.
      await this.stop();
      setTimeout(() => {
        this.log.warning(
          'serverless-offline-kafka: exiting, as something else (a file watcher?) keeps sls offline start open after the failure',
        );
        process.exit(process.exitCode || 1);
      }, EXIT_AFTER_FAILURE_MS).unref();
      throw this.userError(`${(error as Error).message}\nsls offline start stopped: no mapping is running.`);
    }
    for (const { functionKey, topic, consumerGroupId, batchSize, maximumBatchingWindowMs } of mappings) {
      this.log.notice(
        `kafka λ ${functionKey} ← ${topic} (group ${consumerGroupId}, batch ${batchSize}, window ${maximumBatchingWindowMs} ms)`,
      );
    }
  }

  /** A ServerlessError: osls prints its message alone, as for its own configuration errors, without a stack trace. */
  private userError(message: string): Error {
    const ServerlessError = this.serverless.classes?.Error ?? Error;
    return new ServerlessError(message);
  }

  private asUserError<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw error instanceof KafkaConfigError || error instanceof KafkaAccessError
        ? this.userError(error.message)
        : error;
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

/** The cluster part of osls's msk logical id (compile/events/msk/get-msk-cluster-name-token.js): a Ref's or import's name, or the ARN's cluster name. */
function mskClusterNameToken(arn: unknown): string {
  if (typeof arn === 'string') return arn.split('/')[1] ?? arn;
  const reference = arn as { Ref?: string; 'Fn::ImportValue'?: string };
  return reference['Fn::ImportValue'] ?? reference.Ref ?? '';
}

/** `get` hands out an idle handler instance; setEvent and runHandler follow at once so no other lane can take it. */
function invoke(runner: Lambda, functionKey: string, event: LambdaKafkaEvent): Promise<unknown> {
  const lambdaFunction = runner.get(functionKey);
  lambdaFunction.setEvent(event);
  return lambdaFunction.runHandler();
}
