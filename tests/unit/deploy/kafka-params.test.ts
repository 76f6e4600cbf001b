/** deploy/kafka.js: the Kafka params of a stage → the event source, the VPC, the client's auth, or an error naming the fix. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

// The file serverless.yml resolves variables through (plain CommonJS, loaded by the framework).
const kafka = require('../../../deploy/kafka.js') as {
  // biome-ignore lint/suspicious/noExplicitAny: the event source mapping deploy/kafka.js builds, probed by path in assertions
  sink: (ctx: Ctx) => Promise<Record<string, any>>;
  vpc: (ctx: Ctx) => Promise<{ subnetIds: string[]; securityGroupIds: string[] }>;
  clientAuth: (ctx: Ctx) => Promise<string>;
  clientSecretArn: (ctx: Ctx) => Promise<string>;
};
type Ctx = { resolveVariable: (address: string) => Promise<unknown> };

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/air/0b1c2d3e-1111-2222-3333-444455556666-7';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:kafka-AbCdEf';
const KMS_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TRIGGER = { topic: 'air_quality_data', consumerGroupId: 'g', batchSize: 10 };
const BASE = {
  kafkaSource: 'self-managed',
  kafkaBootstrapServers: 'k1:9096, k2:9096',
  kafkaAuth: 'sasl-scram-512',
  kafkaSecretArn: SECRET,
  kafkaCaSecretArn: '',
  kafkaSecretKmsKeyArn: '',
  mskClusterArn: '',
  vpcSubnetIds: '',
  vpcSecurityGroupIds: '',
};

function ctx(params: Partial<typeof BASE>): Ctx {
  const all: Record<string, unknown> = { ...BASE, ...params };
  return {
    resolveVariable: async (address) => {
      if (address === 'self:custom.kafkaTriggers.sink') return TRIGGER;
      const name = address.replace(/^param:/, '');
      if (!(name in all)) throw new Error(`unexpected variable ${address}`);
      return all[name];
    },
  };
}

describe('deploy/kafka.js', () => {
  test('self-managed: a kafka event with the brokers, the trigger settings and the auth secret', async () => {
    assert.deepEqual(await kafka.sink(ctx({})), {
      kafka: {
        ...TRIGGER,
        bootstrapServers: ['k1:9096', 'k2:9096'],
        accessConfigurations: { saslScram512Auth: [SECRET] },
      },
    });
    assert.deepEqual(await kafka.vpc(ctx({})), { subnetIds: [], securityGroupIds: [] });
    assert.equal(await kafka.clientAuth(ctx({})), 'sasl-scram-512');
  });

  test('each self-managed auth maps to its access configuration', async () => {
    const cases = {
      'sasl-plain': 'saslPlainAuth',
      'sasl-scram-256': 'saslScram256Auth',
      mtls: 'clientCertificateTlsAuth',
    };
    for (const [auth, key] of Object.entries(cases)) {
      assert.deepEqual(
        (await kafka.sink(ctx({ kafkaAuth: auth }))).kafka.accessConfigurations,
        { [key]: [SECRET] },
        auth,
      );
    }
    const inVpc = await kafka.sink(
      ctx({ kafkaAuth: 'none', kafkaSecretArn: '', vpcSubnetIds: 'subnet-1,subnet-2', vpcSecurityGroupIds: 'sg-1' }),
    );
    assert.deepEqual(inVpc.kafka.accessConfigurations, {
      vpcSubnet: ['subnet-1', 'subnet-2'],
      vpcSecurityGroup: ['sg-1'],
    });
  });

  test('msk: an msk event on the cluster, a SCRAM secret only when asked for', async () => {
    const msk = { kafkaSource: 'msk', mskClusterArn: CLUSTER, vpcSubnetIds: 'subnet-1', vpcSecurityGroupIds: 'sg-1' };
    assert.deepEqual(await kafka.sink(ctx({ ...msk, kafkaAuth: 'msk-iam' })), { msk: { ...TRIGGER, arn: CLUSTER } });
    assert.deepEqual(await kafka.sink(ctx({ ...msk, kafkaAuth: 'sasl-scram-512', kafkaSecretKmsKeyArn: KMS_KEY })), {
      msk: { ...TRIGGER, arn: CLUSTER, saslScram512: SECRET },
    });
    assert.deepEqual(await kafka.vpc(ctx({ ...msk, kafkaAuth: 'msk-iam' })), {
      subnetIds: ['subnet-1'],
      securityGroupIds: ['sg-1'],
    });
    assert.equal(
      await kafka.clientSecretArn(ctx({ ...msk, kafkaAuth: 'msk-iam' })),
      '',
      'the default secret param must not reach an msk-iam client',
    );
    assert.equal(
      await kafka.clientSecretArn(ctx({ ...msk, kafkaAuth: 'sasl-scram-512', kafkaSecretKmsKeyArn: KMS_KEY })),
      SECRET,
    );
  });

  test('local: the stack without auth for the client; a placeholder the emulator ignores for the framework', async () => {
    const local = ctx({ kafkaSource: 'local', kafkaAuth: 'none', kafkaSecretArn: '' });
    assert.equal(await kafka.clientAuth(local), 'none');
    assert.equal(await kafka.clientSecretArn(ctx({ kafkaSource: 'local', kafkaAuth: 'none' })), '');
    assert.match(JSON.stringify((await kafka.sink(local)).kafka.accessConfigurations), /local-stack-has-no-auth/);
  });

  test('inconsistent params fail with the param and the fix', async () => {
    const cases: [Partial<typeof BASE>, RegExp][] = [
      [{ kafkaSource: 'confluent' }, /param kafkaSource is "confluent"; use one of local, self-managed, msk/],
      [{ kafkaBootstrapServers: ' ' }, /param kafkaBootstrapServers is empty/],
      [{ vpcSubnetIds: 'subnet-1' }, /vpcSubnetIds and vpcSecurityGroupIds go together/],
      [
        { kafkaAuth: 'msk-iam' },
        /for self-managed Kafka use one of sasl-plain, sasl-scram-256, sasl-scram-512, mtls, none/,
      ],
      [{ kafkaAuth: 'none' }, /"none": Lambda reaches an unauthenticated self-managed Kafka only inside a VPC/],
      [{ kafkaSecretArn: '' }, /kafkaAuth "sasl-scram-512" needs param kafkaSecretArn/],
      [{ kafkaSource: 'msk', kafkaAuth: 'sasl-plain' }, /MSK event sources support msk-iam or sasl-scram-512/],
      [
        { kafkaSource: 'msk', kafkaAuth: 'msk-iam', mskClusterArn: 'air' },
        /param mskClusterArn is "air"; set it to the cluster's ARN/,
      ],
      [
        { kafkaSource: 'msk', kafkaAuth: 'msk-iam', mskClusterArn: CLUSTER },
        /MSK brokers are only reachable inside their VPC/,
      ],
      [
        {
          kafkaSource: 'msk',
          kafkaAuth: 'sasl-scram-512',
          mskClusterArn: CLUSTER,
          vpcSubnetIds: 'subnet-1',
          vpcSecurityGroupIds: 'sg-1',
        },
        /kafkaAuth "sasl-scram-512" on MSK needs param kafkaSecretKmsKeyArn: .*customer-managed KMS key/,
      ],
    ];
    for (const [params, message] of cases)
      await assert.rejects(kafka.sink(ctx(params)), message, JSON.stringify(params));
  });
});
