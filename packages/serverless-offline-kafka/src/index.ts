export { default } from './plugin';
export { readMappings, KafkaConfigError, type PluginSettings } from './config';
export { MappingWorker, type KafkaHandler, type WorkerOptions } from './worker';
export type { MappingSettings, StartingPosition, ErrorHandling, OnFailureDestination } from './mapping';
export type { LambdaKafkaEvent, LambdaKafkaRecord } from './event';
export type { InvocationSummary } from './log';
export type { RetryPolicy } from './retry';
export type { MetricsReport } from './metrics';
