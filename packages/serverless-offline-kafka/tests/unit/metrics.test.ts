import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isQuiet, MappingCounters, metricsReport } from '../../src/metrics';

const identity = { functionKey: 'sink', topic: 'orders', mappingUuid: '0b1c2d3e-0000-0000-0000-000000000000' };

describe('ESM metrics', () => {
  it('counts per interval under the names AWS publishes, then starts again from zero', () => {
    const counters = new MappingCounters();
    counters.add('PolledEventCount', 5);
    counters.add('PolledEventCount', 2);
    counters.add('DroppedEventCount', 1);
    const counts = counters.drain();
    assert.equal(counts.PolledEventCount, 7);
    assert.equal(counts.DroppedEventCount, 1);
    assert.equal(counts.CommittedEventCount, 0);
    assert.equal(counters.drain().PolledEventCount, 0);
  });

  it('writes one EMF line whose metrics are declared and valued at the root, with the offset lags', () => {
    const counters = new MappingCounters();
    counters.add('InvokedEventCount', 4);
    const { emf, summary } = metricsReport(
      identity,
      counters.drain(),
      new Map([
        [0, 3],
        [1, 7],
      ]),
      new Date(1_700_000_000_000),
    );
    const line = JSON.parse(emf);
    assert.equal(line._aws.Timestamp, 1_700_000_000_000);
    const [directive] = line._aws.CloudWatchMetrics;
    assert.deepEqual(directive.Dimensions, [['EventSourceMappingUUID'], ['FunctionName']]);
    for (const { Name, Unit } of directive.Metrics) {
      assert.equal(Unit, 'Count');
      assert.equal(typeof line[Name], 'number', `${Name} has a value`);
    }
    assert.deepEqual(
      directive.Metrics.map((m: { Name: string }) => m.Name),
      [
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
        'OffsetLag',
        'MaxOffsetLag',
        'SumOffsetLag',
      ],
    );
    assert.equal(line.InvokedEventCount, 4);
    assert.deepEqual([line.OffsetLag, line.MaxOffsetLag, line.SumOffsetLag], [7, 7, 10]);
    assert.equal(line.EventSourceMappingUUID, identity.mappingUuid);
    assert.equal(
      summary,
      'kafka λ sink orders metrics: polled 0, filtered out 0, invoked 4, failed 0, to destination 0, dropped 0, committed 0, offset lag 10 (max 7)',
    );
  });

  it('is quiet only when nothing happened and nothing is waiting', () => {
    const counters = new MappingCounters();
    assert.equal(isQuiet(counters.drain(), new Map([[0, 0]])), true);
    assert.equal(isQuiet(counters.drain(), new Map([[0, 1]])), false);
    counters.add('CommittedEventCount', 1);
    assert.equal(isQuiet(counters.drain(), new Map()), false);
  });
});
