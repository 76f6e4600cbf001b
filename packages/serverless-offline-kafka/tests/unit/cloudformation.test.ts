import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { completeEventSourceMappings, mappingProperties } from '../../src/cloudformation';
import { readEvents } from '../../src/config';

const eventsOf = (...events: Record<string, unknown>[]) => readEvents({ f: { events } });
const kafka = (fields: Record<string, unknown>) => ({ kafka: { topic: 't', bootstrapServers: ['b:9092'], ...fields } });
const propertiesOf = (fields: Record<string, unknown>) => mappingProperties(eventsOf(kafka(fields))[0]!);

describe('mappingProperties', () => {
  it('adds nothing for an event with only the settings osls compiles', () => {
    assert.deepEqual(propertiesOf({ batchSize: 10, startingPosition: 'LATEST' }), {});
  });

  it('writes every control osls leaves out, with AWS names', () => {
    assert.deepEqual(
      propertiesOf({
        maximumBatchingWindow: 0,
        functionResponseTypes: ['ReportBatchItemFailures'],
        maximumRetryAttempts: 3,
        maximumRecordAgeInSeconds: -1,
        bisectBatchOnFunctionError: false,
        provisionedPollerConfig: { minimumPollers: 2 },
        onFailureDestination: 'kafka://t.dlq',
      }),
      {
        MaximumBatchingWindowInSeconds: 0,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 3,
        MaximumRecordAgeInSeconds: -1,
        BisectBatchOnFunctionError: false,
        ProvisionedPollerConfig: { MinimumPollers: 2, MaximumPollers: 200 },
        DestinationConfig: { OnFailure: { Destination: 'kafka://t.dlq' } },
      },
    );
  });

  it('deploys an s3:// destination as the bucket ARN AWS takes, and ARNs as declared', () => {
    assert.deepEqual(propertiesOf({ onFailureDestination: 's3://failed' }).DestinationConfig, {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template literal
      OnFailure: { Destination: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::failed' } },
    });
    assert.deepEqual(propertiesOf({ onFailureDestination: 'arn:aws:s3:::failed' }).DestinationConfig, {
      OnFailure: { Destination: 'arn:aws:s3:::failed' },
    });
    assert.deepEqual(propertiesOf({ onFailureDestination: 'arn:aws:sqs:us-east-1:123456789012:q' }).DestinationConfig, {
      OnFailure: { Destination: 'arn:aws:sqs:us-east-1:123456789012:q' },
    });
  });
});

describe('completeEventSourceMappings', () => {
  it("completes osls's resource in place and stops on one it cannot find", () => {
    const events = eventsOf(kafka({ maximumRetryAttempts: 1 }));
    const template = {
      Resources: {
        FEventSourceMappingKafkaT: {
          Type: 'AWS::Lambda::EventSourceMapping',
          Properties: { Topics: ['t'], BatchSize: 100 } as Record<string, unknown>,
        },
      },
    };
    completeEventSourceMappings(template, events, () => 'FEventSourceMappingKafkaT');
    assert.deepEqual(template.Resources.FEventSourceMappingKafkaT.Properties, {
      Topics: ['t'],
      BatchSize: 100,
      MaximumRetryAttempts: 1,
    });
    assert.throws(
      () => completeEventSourceMappings(template, events, () => 'Other'),
      /no AWS::Lambda::EventSourceMapping Other in the compiled template for functions.f.events\[0\].kafka/,
    );
  });
});
