import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaConfigError, readMappings, type PluginSettings, type ServiceDescription } from '../../src/config';

const service = (functions: ServiceDescription['functions'], timeout?: number): ServiceDescription => ({
  service: 'svc',
  stage: 'local',
  functions,
  ...(timeout ? { timeout } : {}),
});
const kafka = (fields: Record<string, unknown>) => ({ kafka: { topic: 't', bootstrapServers: ['b:9092'], ...fields } });
const one = (fields: Record<string, unknown>) => readMappings(service({ f: { events: [kafka(fields)] } }));
const mappingOf = (fields: Record<string, unknown>) => one(fields).mappings[0]!;
const warningsOf = (fields: Record<string, unknown>, timeout?: number) =>
  readMappings(service({ f: { events: [kafka(fields)] } }, timeout)).warnings;
const provisioned = { provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 3 } };

describe('readMappings', () => {
  it("applies AWS's defaults to a kafka event: nothing opted in, AWS's error handling defaults left to the runtime", () => {
    const { mappings, warnings } = readMappings(
      service({ sink: { events: [kafka({}), { schedule: 'rate(1 minute)' }] } }),
    );
    assert.deepEqual(mappings, [
      {
        functionKey: 'sink',
        source: { eventSource: 'SelfManagedKafka' },
        bootstrapServers: ['b:9092'],
        topic: 't',
        batchSize: 100,
        maximumBatchingWindowMs: 500,
        startingPosition: { type: 'TRIM_HORIZON' },
        consumerGroupId: 'svc-local-sink-t',
        filterPatterns: [],
      },
    ]);
    assert.deepEqual(warnings, []);
  });

  it('reads batching, AT_TIMESTAMP in seconds and the consumer group', () => {
    const mapping = mappingOf({
      batchSize: 7,
      maximumBatchingWindow: 0,
      startingPosition: 'AT_TIMESTAMP',
      startingPositionTimestamp: 1700000000,
      consumerGroupId: 'g',
    });
    assert.equal(mapping.batchSize, 7);
    assert.equal(mapping.maximumBatchingWindowMs, 0, 'a declared 0 s window is 0, not the 500 ms default');
    assert.deepEqual(mapping.startingPosition, { type: 'AT_TIMESTAMP', timestampMs: 1700000000000 });
    assert.equal(mapping.consumerGroupId, 'g');
  });

  it('reads the per-mapping error handling controls, the opt-in and the provisioned pollers', () => {
    const mapping = mappingOf({
      functionResponseTypes: ['ReportBatchItemFailures'],
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: 3600,
      bisectBatchOnFunctionError: true,
      provisionedPollerConfig: { maximumPollers: 4 },
      onFailureDestination: 'kafka://t.dlq',
    });
    assert.equal(mapping.reportBatchItemFailures, true);
    assert.deepEqual(mapping.errorHandling, {
      maximumRetryAttempts: 3,
      maximumRecordAgeInSeconds: 3600,
      bisectBatchOnFunctionError: true,
    });
    assert.deepEqual(
      mapping.provisionedPollers,
      { minimumPollers: 1, maximumPollers: 4 },
      "AWS's default minimum is 1",
    );
    assert.deepEqual(mapping.onFailureDestination, { type: 'kafka', topic: 't.dlq' });
    assert.deepEqual(mappingOf({ maximumRetryAttempts: -1, maximumRecordAgeInSeconds: -1 }).errorHandling, {
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
    });
  });

  it('reads S3 destinations as s3:// or a bucket ARN; an SQS or SNS destination is not emulated and says so', () => {
    assert.deepEqual(mappingOf({ onFailureDestination: 's3://failed-records' }).onFailureDestination, {
      type: 's3',
      bucket: 'failed-records',
    });
    assert.deepEqual(mappingOf({ onFailureDestination: 'arn:aws:s3:::failed-records' }).onFailureDestination, {
      type: 's3',
      bucket: 'failed-records',
    });
    for (const arn of ['arn:aws:sqs:us-east-1:123456789012:q', 'arn:aws:sns:us-east-1:123456789012:t']) {
      const { mappings, warnings } = one({ onFailureDestination: arn, ...provisioned });
      assert.equal(mappings[0]!.onFailureDestination, undefined);
      assert.deepEqual(warnings, [
        `functions.f.events[0].kafka: onFailureDestination ${arn} is not emulated (only kafka:// and S3 destinations are); locally the mapping runs as if it had no destination.`,
      ]);
    }
  });

  it('skips disabled events and gives two mappings of one function on one topic their own groups', () => {
    const { mappings } = readMappings(service({ f: { events: [kafka({}), kafka({ enabled: false }), kafka({})] } }));
    assert.deepEqual(
      mappings.map((m) => m.consumerGroupId),
      ['svc-local-f-t', 'svc-local-f-t-2'],
    );
  });

  it('reads msk events with the local broker override and the cluster ARN', () => {
    const events = [
      {
        msk: {
          arn: 'arn:aws:kafka:us-east-1:1:cluster/c/1',
          topic: 't',
          onFailureDestination: 'kafka://t.dlq',
          ...provisioned,
        },
      },
    ];
    assert.throws(
      () => readMappings(service({ f: { events } })),
      (e: Error) => e instanceof KafkaConfigError && /custom.serverless-offline-kafka.bootstrapServers/.test(e.message),
    );
    const [mapping] = readMappings(service({ f: { events } }), {
      bootstrapServers: 'localhost:29092, other:9092',
    }).mappings;
    assert.deepEqual(mapping!.source, {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:1:cluster/c/1',
    });
    assert.deepEqual(mapping!.bootstrapServers, ['localhost:29092', 'other:9092']);
    assert.deepEqual(mapping!.onFailureDestination, { type: 'kafka', topic: 't.dlq' });
  });

  it('names the event and the fix for values outside AWS limits', () => {
    const refused: Array<[Record<string, unknown>, RegExp]> = [
      [
        { startingPosition: 'AT_TIMESTAMP' },
        /functions.f.events\[0\].kafka: startingPosition AT_TIMESTAMP needs startingPositionTimestamp/,
      ],
      [{ batchSize: 20000 }, /batchSize 20000 must be an integer from 1 to 10000/],
      [
        { maximumBatchingWindow: 0.5 },
        /maximumBatchingWindow 0.5 must be whole seconds from 0 to 300, as Lambda accepts; omit it/,
      ],
      [{ maximumBatchingWindow: 301 }, /maximumBatchingWindow 301 must be whole seconds/],
      [
        { filterPatterns: [{ value: { a: [{ wildcard: '*' }] } }] },
        /filterPatterns: value.a: operator "wildcard" is not supported/,
      ],
      [
        { filterPatterns: Array.from({ length: 11 }, (_, i) => ({ value: { a: [i] } })) },
        /filterPatterns: 11 filter patterns given; Lambda allows at most 10/,
      ],
      [
        { maximumRetryAttempts: -2 },
        /maximumRetryAttempts -2 must be -1 \(retry forever, AWS's default\) or an integer from 0 to 10000/,
      ],
      [{ maximumRetryAttempts: 10001 }, /maximumRetryAttempts 10001/],
      [
        { maximumRecordAgeInSeconds: 59 },
        /maximumRecordAgeInSeconds 59 must be -1 \(no limit, AWS's default\) or whole seconds from 60 to 604800/,
      ],
      [{ maximumRecordAgeInSeconds: 604801 }, /maximumRecordAgeInSeconds 604801/],
      [{ provisionedPollerConfig: { minimumPollers: 201 } }, /minimumPollers 201 must be an integer from 1 to 200/],
      [{ provisionedPollerConfig: { maximumPollers: 2001 } }, /maximumPollers 2001 must be an integer from 1 to 2000/],
      [
        { provisionedPollerConfig: { minimumPollers: 5, maximumPollers: 2 } },
        /minimumPollers 5 is above maximumPollers 2/,
      ],
      [
        { functionResponseTypes: ['ReportBatchItemFailure'] },
        /functionResponseTypes \["ReportBatchItemFailure"\] unknown; the only type is ReportBatchItemFailures/,
      ],
      [
        { onFailureDestination: 'kafka://t' },
        /onFailureDestination kafka:\/\/t is the source topic; AWS refuses a destination equal to the source/,
      ],
      [
        { onFailureDestination: 'dlq' },
        /onFailureDestination "dlq" must be kafka:\/\/<topic>, s3:\/\/<bucket>, an S3 bucket ARN, or an SQS queue or SNS topic ARN/,
      ],
    ];
    for (const [fields, message] of refused)
      assert.throws(
        () => one(fields),
        (e: Error) => e instanceof KafkaConfigError && message.test(e.message),
        JSON.stringify(fields),
      );
  });

  it('refuses the old plugin-wide AWS settings, naming the per-event key', () => {
    const moved: Array<[PluginSettings, RegExp]> = [
      [
        { defaultOnFailureDestination: 'kafka://dlq' } as PluginSettings,
        /defaultOnFailureDestination is no longer a plugin setting.*Set onFailureDestination/,
      ],
      [
        { retry: { maximumRetryAttempts: 3 } } as PluginSettings,
        /retry.maximumRetryAttempts is no longer a plugin setting.*Set maximumRetryAttempts on each kafka\/msk event/,
      ],
      [
        { retry: { bisectBatchOnFunctionError: true } } as PluginSettings,
        /retry.bisectBatchOnFunctionError .*Set bisectBatchOnFunctionError/,
      ],
      [
        { retry: { maximumRecordAgeInSeconds: 60 } } as PluginSettings,
        /retry.maximumRecordAgeInSeconds .*Set maximumRecordAgeInSeconds/,
      ],
    ];
    for (const [settings, message] of moved)
      assert.throws(() => readMappings(service({ f: { events: [kafka({})] } }), settings), message);
    assert.doesNotThrow(() =>
      readMappings(service({ f: { events: [kafka({})] } }), { retry: { initialBackoffMs: 100 }, startTimeoutMs: 1000 }),
    );
  });
});

describe('parity warnings', () => {
  it('controls that AWS applies only in provisioned mode, declared without it', () => {
    assert.deepEqual(
      warningsOf({
        maximumRetryAttempts: 2,
        functionResponseTypes: ['ReportBatchItemFailures'],
        onFailureDestination: 'kafka://t.dlq',
      }),
      [
        'functions.f.events[0].kafka: AWS applies maximumRetryAttempts, functionResponseTypes, a kafka:// onFailureDestination only to event source mappings in provisioned mode; add provisionedPollerConfig (e.g. { minimumPollers: 1, maximumPollers: 3 }) or the deployed mapping will not behave as it does here.',
      ],
    );
    assert.deepEqual(
      warningsOf({
        maximumRetryAttempts: 2,
        functionResponseTypes: ['ReportBatchItemFailures'],
        onFailureDestination: 'kafka://t.dlq',
        ...provisioned,
      }),
      [],
    );
    assert.deepEqual(warningsOf({ onFailureDestination: 's3://b' }), [], 'S3 destinations predate provisioned mode');
  });

  it("more filters than AWS's default quota", () => {
    const patterns = Array.from({ length: 6 }, (_, n) => ({ value: { n: [n] } }));
    assert.deepEqual(warningsOf({ filterPatterns: patterns }), [
      "functions.f.events[0].kafka: 6 filterPatterns; AWS allows 5 per event source mapping unless the account's quota was raised (up to 10).",
    ]);
    assert.deepEqual(warningsOf({ filterPatterns: patterns.slice(0, 5) }), []);
  });

  it('a function timeout above the 14 minutes Kafka mappings allow, from the function or the provider', () => {
    const message = /the function's timeout 900 s is above the 14 minutes \(840 s\)/;
    assert.match(readMappings(service({ f: { timeout: 900, events: [kafka({})] } })).warnings.join('\n'), message);
    assert.match(warningsOf({}, 900).join('\n'), message);
    assert.deepEqual(warningsOf({}, 840), []);
  });

  it('an msk cluster ARN that is a CloudFormation reference', () => {
    // The local broker's access is declared, so only the ARN warning is left (no IAM one).
    const { mappings, warnings } = readMappings(
      service({ f: { events: [{ msk: { arn: { Ref: 'Cluster' }, topic: 't' } }] } }),
      { bootstrapServers: 'localhost:29092', accessConfigurations: {} },
    );
    assert.deepEqual(mappings[0]!.source, {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:local:000000000000:cluster/svc-local/f',
    });
    assert.deepEqual(warnings, [
      'functions.f.events[0].msk: the cluster ARN {"Ref":"Cluster"} is a CloudFormation reference with no value locally; events carry a placeholder eventSourceArn (arn:aws:kafka:local:…).',
    ]);
  });
});
