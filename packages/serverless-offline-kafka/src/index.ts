export { default } from './plugin';
export { readMappings, KafkaConfigError, type PluginSettings } from './config';
export { KafkaAccessError } from './access';
export { FilterPatternError, type FilterPattern } from './filter';
export { MappingWorker, type KafkaHandler, type WorkerOptions } from './worker';
export type {
  MappingSettings,
  StartingPosition,
  ErrorHandling,
  OnFailureDestination,
  ProvisionedPollers,
  BrokerAccess,
} from './mapping';
export type { EventSource, LambdaKafkaEvent, LambdaKafkaRecord } from './event';
/** A kafkajs message as the Lambda record a mapping delivers, and records grouped into the event: for handler tests. */
export { toLambdaRecord, buildEvent } from './event';
export { generateEvent, GenerateEventError, type EventOptions } from './generate-event';
export type { InvocationSummary } from './log';
export type { RetryPolicy } from './retry';
export type { MetricsReport } from './metrics';
