/**
 * The event source mapping metrics Lambda publishes for Kafka, counted locally and written as CloudWatch embedded
 * metric format (EMF) lines (pure). Names: https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html
 * ("Event source mapping metrics": the EventCount and ErrorCount groups, OffsetLag and the KafkaMetrics lags).
 * EMF: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

const EVENT_COUNTS = [
  'PolledEventCount',
  'FilteredOutEventCount',
  'InvokedEventCount',
  'FailedInvokeEventCount',
  'DroppedEventCount',
  'OnFailureDestinationDeliveredEventCount',
  'CommittedEventCount',
  'InvokeErrorCount',
  'CommitErrorCount',
  'OnFailureDestinationDeliveryErrorCount',
] as const;

export type EventCountName = (typeof EVENT_COUNTS)[number];
export type Counts = Record<EventCountName, number>;

/** Counts since the last drain. */
export class MappingCounters {
  private counts = zeroCounts();

  add(name: EventCountName, value: number): void {
    this.counts[name] += value;
  }

  drain(): Counts {
    const counts = this.counts;
    this.counts = zeroCounts();
    return counts;
  }
}

const zeroCounts = (): Counts => Object.fromEntries(EVENT_COUNTS.map((name) => [name, 0])) as Counts;

export interface MetricsReport {
  /** One CloudWatch EMF JSON line. */
  emf: string;
  /** One line for people. */
  summary: string;
}

export interface MappingIdentity {
  functionKey: string;
  topic: string;
  mappingUuid: string;
}

/** Offset lag per partition: the latest offset minus the next offset to commit. */
export type PartitionLags = ReadonlyMap<number, number>;

/** User metrics cannot go to the reserved AWS/ namespaces, so the local ones have their own. */
const NAMESPACE = 'serverless-offline-kafka';

export function metricsReport(identity: MappingIdentity, counts: Counts, lags: PartitionLags, at: Date): MetricsReport {
  const lagValues = [...lags.values()];
  const maxLag = lagValues.length > 0 ? Math.max(...lagValues) : 0;
  const sumLag = lagValues.reduce((sum, lag) => sum + lag, 0);
  const values: Record<string, number> = { ...counts, OffsetLag: maxLag, MaxOffsetLag: maxLag, SumOffsetLag: sumLag };
  const emf = {
    _aws: {
      Timestamp: at.getTime(),
      CloudWatchMetrics: [
        {
          Namespace: NAMESPACE,
          Dimensions: [['EventSourceMappingUUID'], ['FunctionName']],
          Metrics: Object.keys(values).map((Name) => ({ Name, Unit: 'Count' })),
        },
      ],
    },
    EventSourceMappingUUID: identity.mappingUuid,
    FunctionName: identity.functionKey,
    ...values,
  };
  const summary =
    `kafka λ ${identity.functionKey} ${identity.topic} metrics: polled ${counts.PolledEventCount}, filtered out ${counts.FilteredOutEventCount}, ` +
    `invoked ${counts.InvokedEventCount}, failed ${counts.FailedInvokeEventCount}, to destination ${counts.OnFailureDestinationDeliveredEventCount}, ` +
    `dropped ${counts.DroppedEventCount}, committed ${counts.CommittedEventCount}, offset lag ${sumLag} (max ${maxLag})`;
  return { emf: JSON.stringify(emf), summary };
}

/** Nothing to say for an idle, caught-up mapping. */
export const isQuiet = (counts: Counts, lags: PartitionLags): boolean =>
  Object.values(counts).every((n) => n === 0) && [...lags.values()].every((lag) => lag === 0);
