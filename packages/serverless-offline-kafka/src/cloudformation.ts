/**
 * Deployed = local: the AWS::Lambda::EventSourceMapping properties osls does not emit for `kafka` / `msk` events
 * (FunctionResponseTypes, the error handling controls, a Kafka or S3 destination, msk's destination, a 0 s
 * batching window, which osls drops so AWS would run 500 ms), written onto the resources osls compiled (pure).
 */
import type { EventSettings } from './config';

type Properties = Record<string, unknown>;
type Template = { Resources: Record<string, { Type: string; Properties: Properties }> };

/** What AWS's DestinationConfig.OnFailure.Destination takes: kafka://<topic> or an ARN. */
function destination(settings: EventSettings): unknown {
  const declared = settings.event.onFailureDestination;
  const target = settings.onFailureDestination;
  if (target?.type === 's3' && declared?.startsWith('s3://'))
    return { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${target.bucket}` };
  return declared;
}

/** The properties that make the deployed mapping behave as the emulator does with the same event. */
export function mappingProperties(settings: EventSettings): Properties {
  const {
    maximumBatchingWindowSeconds,
    reportBatchItemFailures,
    errorHandling,
    provisionedPollers,
    onFailureDestination,
  } = settings;
  return {
    ...(maximumBatchingWindowSeconds !== undefined
      ? { MaximumBatchingWindowInSeconds: maximumBatchingWindowSeconds }
      : {}),
    ...(reportBatchItemFailures ? { FunctionResponseTypes: ['ReportBatchItemFailures'] } : {}),
    ...(errorHandling.maximumRetryAttempts !== undefined
      ? { MaximumRetryAttempts: errorHandling.maximumRetryAttempts }
      : {}),
    ...(errorHandling.maximumRecordAgeInSeconds !== undefined
      ? { MaximumRecordAgeInSeconds: errorHandling.maximumRecordAgeInSeconds }
      : {}),
    ...(errorHandling.bisectBatchOnFunctionError !== undefined
      ? { BisectBatchOnFunctionError: errorHandling.bisectBatchOnFunctionError }
      : {}),
    ...(provisionedPollers
      ? {
          ProvisionedPollerConfig: {
            MinimumPollers: provisionedPollers.minimumPollers,
            MaximumPollers: provisionedPollers.maximumPollers,
          },
        }
      : {}),
    ...(onFailureDestination ? { DestinationConfig: { OnFailure: { Destination: destination(settings) } } } : {}),
  };
}

/**
 * Completes the mappings osls compiled, found by the logical id osls gives each event. A missing resource means
 * osls named it differently (a newer osls): packaging stops rather than deploy a mapping that behaves otherwise.
 */
export function completeEventSourceMappings(
  template: Template,
  events: readonly EventSettings[],
  logicalIdOf: (settings: EventSettings) => string,
): void {
  for (const settings of events) {
    const id = logicalIdOf(settings);
    const resource = template.Resources[id];
    if (resource?.Type !== 'AWS::Lambda::EventSourceMapping') {
      throw new Error(
        `serverless-offline-kafka: no AWS::Lambda::EventSourceMapping ${id} in the compiled template for ${settings.where}; this osls version names event source mappings differently than the plugin expects.`,
      );
    }
    Object.assign(resource.Properties, mappingProperties(settings));
  }
}
