import type { SASLOptions } from 'kafkajs';
import type { ConnectionOptions } from 'node:tls';
import type { EventSource } from './event';
import type { FilterPattern } from './filter';

export type StartingPosition =
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestampMs: number };

/** Where records go that exhaust the error handling controls (AWS: `DestinationConfig.OnFailure`). */
export type OnFailureDestination = { type: 'kafka'; topic: string } | { type: 's3'; bucket: string };

/**
 * AWS's error handling controls for Kafka event source mappings, as declared on the event
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html). Omitted fields take AWS's defaults.
 */
export interface ErrorHandling {
  /** -1 (default) retries forever; AWS applies 10 instead when the mapping has an on-failure destination. 0..10000. */
  maximumRetryAttempts: number;
  /** -1 (default) has no limit; otherwise 60..604800 s, after which a record goes to the destination unprocessed. */
  maximumRecordAgeInSeconds: number;
  /** Splits a failing batch in two and retries each half; a split does not count as a retry. */
  bisectBatchOnFunctionError: boolean;
}

/** Provisioned mode (`ProvisionedPollerConfig`): AWS requires it for the error handling controls and Kafka destinations. */
export interface ProvisionedPollers {
  minimumPollers: number;
  maximumPollers: number;
}

/** How the mapping's consumer connects, from the event's `accessConfigurations` with secrets resolved locally. */
export interface BrokerAccess {
  ssl?: ConnectionOptions | boolean;
  sasl?: SASLOptions;
  /** Where the access was declared, so that a refused connection names what to fix. */
  origin?: AccessOrigin;
}

export interface AccessOrigin {
  /** The path in serverless.yml, e.g. `functions.sink.events[0].kafka.accessConfigurations`. */
  where: string;
  /** The ARN of the SASL or client certificate secret, if any. */
  authenticationSecret?: string;
  /** Where the secrets were read, e.g. the secrets file's path. */
  secretsLocation: string;
}

/** One event source mapping, resolved from a function's `kafka` or `msk` event. */
export interface MappingSettings {
  /** The function the mapping invokes; names it in logs and dead letters. */
  functionKey: string;
  source: EventSource;
  bootstrapServers: string[];
  topic: string;
  /** 1..10000 records per invocation. */
  batchSize: number;
  maximumBatchingWindowMs: number;
  startingPosition: StartingPosition;
  consumerGroupId: string;
  filterPatterns: FilterPattern[];
  /** `FunctionResponseTypes: [ReportBatchItemFailures]`: only then is a partial batch response honoured (default false). */
  reportBatchItemFailures?: boolean;
  errorHandling?: Partial<ErrorHandling>;
  provisionedPollers?: ProvisionedPollers;
  /** Without one, records failing forever block their partition, as in Lambda. */
  onFailureDestination?: OnFailureDestination;
  access?: BrokerAccess;
}
