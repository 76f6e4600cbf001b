/**
 * The AWS stage's CloudFormation, as `sls package` makes it with no network and no credentials:
 * event source mappings, schedules, the layer, the bucket's security, one least-privilege role per
 * function, for self-managed Kafka and for MSK; and cfn-lint finds no error in either.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readMappings, type MappingSettings } from 'serverless-offline-kafka';
import { lintTemplate, packageStage } from '../../../scripts/lint-cloudformation';
import { loadConfig } from '../../../shared/config';
import { repoRoot } from '../../../stack/paths';
import { sls } from '../../../scripts/sls';

// The role names deploy/iam.js gives each function (plain CommonJS, loaded by the framework).
const { roleId } = require('../../../deploy/iam.js') as { roleId: (fn: string) => string };

// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template read as JSON, probed by path in assertions
type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string };
type Template = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };
type Statement = { Effect: string; Action: string[]; Resource: unknown; Condition?: unknown };

const FUNCTIONS = ['simulate', 'sink', 'compact', 'report', 'train', 'infer'];
const MSK_CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/air/0b1c2d3e-1111-2222-3333-444455556666-7';
const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:air-quality-kafka-AbCdEf';
const CA_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:air-quality-kafka-ca-AbCdEf';
const params = (p: Record<string, string>) => Object.entries(p).map(([k, v]) => `--param=${k}=${v}`);

const capitalized = (fn: string) => `${fn[0]!.toUpperCase()}${fn.slice(1)}`;
const ofType = (t: Template, type: string) => Object.entries(t.Resources).filter(([, r]) => r.Type === type);
const statementsOf = (t: Template, fn: string): Statement[] =>
  t.Resources[roleId(fn)]!.Properties.Policies[0].PolicyDocument.Statement;
const actionsOf = (t: Template, fn: string) => statementsOf(t, fn).flatMap((s) => s.Action);
/** The S3 keys (prefix* or exact) a role may use with an action, as written in its Fn::Sub on the bucket ARN. */
const s3Keys = (t: Template, fn: string, action: string) =>
  statementsOf(t, fn)
    .filter((s) => s.Action.includes(action))
    .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template literal
    .map((r) => String((r as { 'Fn::Sub': string })['Fn::Sub']).replace('${LakeBucket.Arn}/', ''))
    .sort();
const mapping = (t: Template, fn: string) =>
  ofType(t, 'AWS::Lambda::EventSourceMapping').find(([id]) => id.startsWith(capitalized(fn)))?.[1];

/** What a deployed mapping does, read from its template properties with AWS's defaults for what is omitted. */
// biome-ignore lint/suspicious/noExplicitAny: a CloudFormation template read as JSON, probed by path in assertions
function deployedBehaviour(p: Record<string, any>) {
  const destination = p.DestinationConfig?.OnFailure?.Destination as string | undefined;
  return {
    topic: p.Topics[0],
    batchSize: p.BatchSize ?? 100,
    maximumBatchingWindowMs: (p.MaximumBatchingWindowInSeconds ?? 0.5) * 1000,
    startingPosition: p.StartingPosition,
    consumerGroupId: (p.SelfManagedKafkaEventSourceConfig ?? p.AmazonManagedKafkaEventSourceConfig).ConsumerGroupId,
    filterPatterns: (p.FilterCriteria?.Filters ?? []).map((f: { Pattern: string }) => JSON.parse(f.Pattern)),
    reportBatchItemFailures: (p.FunctionResponseTypes ?? []).includes('ReportBatchItemFailures'),
    errorHandling: Object.fromEntries(
      [
        ['maximumRetryAttempts', p.MaximumRetryAttempts],
        ['maximumRecordAgeInSeconds', p.MaximumRecordAgeInSeconds],
        ['bisectBatchOnFunctionError', p.BisectBatchOnFunctionError],
      ].filter(([, v]) => v !== undefined),
    ),
    provisionedPollers: p.ProvisionedPollerConfig && {
      minimumPollers: p.ProvisionedPollerConfig.MinimumPollers,
      maximumPollers: p.ProvisionedPollerConfig.MaximumPollers,
    },
    onFailureDestination: destination?.startsWith('kafka://')
      ? { type: 'kafka', topic: destination.slice('kafka://'.length) }
      : destination,
  };
}

/** What the emulator does with the same mapping, in the same terms. */
const emulatedBehaviour = (m: MappingSettings) => ({
  topic: m.topic,
  batchSize: m.batchSize,
  maximumBatchingWindowMs: m.maximumBatchingWindowMs,
  startingPosition: m.startingPosition.type,
  consumerGroupId: m.consumerGroupId,
  filterPatterns: m.filterPatterns,
  reportBatchItemFailures: m.reportBatchItemFailures ?? false,
  errorHandling: m.errorHandling ?? {},
  provisionedPollers: m.provisionedPollers,
  onFailureDestination: m.onFailureDestination,
});

/** The mappings the emulator reads from the service as packaged (serverless-state.json, variables resolved), connecting to a plaintext local broker whatever the cloud's authentication. */
function emulatedMappings(dir: string): MappingSettings[] {
  const { service } = JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8'));
  return readMappings(
    {
      service: service.service,
      stage: service.provider.stage,
      timeout: service.provider.timeout,
      functions: service.functions,
    },
    { bootstrapServers: 'localhost:29092', accessConfigurations: {} },
  ).mappings;
}

/**
 * Runs `run` with an environment (to lay over process.env) in which the AWS SDK's credential chain finds
 * nothing, so a `deploy` can never reach AWS even on a machine with credentials: every AWS_* variable of
 * this process removed (keys, profile, SSO, container and web-identity credentials), an empty HOME
 * (no ~/.aws), the shared files pointed at /dev/null, and no instance metadata.
 */
async function withoutAwsCredentials<T>(run: (env: NodeJS.ProcessEnv) => T): Promise<Awaited<T>> {
  const home = mkdtempSync(join(tmpdir(), 'empty-home-'));
  const dropped = Object.fromEntries(
    Object.keys(process.env)
      .filter((k) => k.startsWith('AWS_'))
      .map((k) => [k, undefined]),
  );
  try {
    return await run({
      ...dropped,
      HOME: home,
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe('sls package --stage aws', () => {
  const dirs: string[] = [];
  /** The distinct templates packaged above, by name: what cfn-lint checks. */
  const linted: Record<string, string> = {};
  let selfManaged: Template;
  let msk: Template;
  /** A TLS listener without authentication, with a private CA, inside a VPC. */
  let noAuthPrivateCa: Template;
  const packaged: Record<'selfManaged' | 'msk', string> = { selfManaged: '', msk: '' };

  before(async () => {
    // osls loads serverless-offline-kafka (its packaging hook completes the event source mappings) from its bundle.
    execFileSync('npm', ['run', 'build', '-w', 'serverless-offline-kafka'], { cwd: repoRoot, stdio: 'ignore' });
    const a = await packageStage('aws');
    const b = await packageStage(
      'aws',
      params({
        kafkaSource: 'msk',
        kafkaAuth: 'msk-iam',
        mskClusterArn: MSK_CLUSTER,
        kafkaBootstrapServers:
          'b-1.air.abc.c7.kafka.eu-west-1.amazonaws.com:9098,b-2.air.abc.c7.kafka.eu-west-1.amazonaws.com:9098',
        vpcSubnetIds: 'subnet-0a1b2c3d,subnet-0e1f2a3b',
        vpcSecurityGroupIds: 'sg-0123abcd',
      }),
    );
    const c = await packageStage(
      'aws',
      params({
        kafkaAuth: 'none',
        kafkaCaSecretArn: CA_SECRET,
        kafkaBootstrapServers: 'kafka-1.internal:9094',
        vpcSubnetIds: 'subnet-0a1b2c3d',
        vpcSecurityGroupIds: 'sg-0123abcd',
      }),
    );
    dirs.push(a, b, c);
    packaged.selfManaged = a;
    packaged.msk = b;
    Object.assign(linted, { 'self-managed SASL/SCRAM': a, 'MSK IAM': b, 'self-managed without auth, private CA': c });
    const read = (dir: string) =>
      JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
    selfManaged = read(a);
    msk = read(b);
    noAuthPrivateCa = read(c);
  });
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('self-managed Kafka: both event source mappings with their settings and SASL/SCRAM secret', () => {
    const sink = mapping(selfManaged, 'sink')!.Properties;
    assert.deepEqual(sink.Topics, ['air_quality_data']);
    assert.equal(sink.StartingPosition, 'TRIM_HORIZON');
    assert.equal(sink.BatchSize, 5000);
    assert.equal(sink.MaximumBatchingWindowInSeconds, 5);
    assert.deepEqual(sink.SelfManagedKafkaEventSourceConfig, { ConsumerGroupId: 'air-quality-pipeline-aws-sink' });
    assert.deepEqual(sink.SourceAccessConfigurations, [
      { Type: 'SASL_SCRAM_512_AUTH', URI: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:set-me' },
    ]);
    const infer = mapping(selfManaged, 'infer')!.Properties;
    assert.equal(infer.StartingPosition, 'LATEST');
    assert.equal(infer.BatchSize, 100);
    assert.equal(
      infer.MaximumBatchingWindowInSeconds,
      undefined,
      "Lambda's 500 ms default: the setting takes whole seconds only",
    );
    assert.equal(ofType(selfManaged, 'AWS::Lambda::EventSourceMapping').length, 2);
  });

  test('deployed = local: every mapping in the template behaves as the emulator runs it (self-managed and MSK)', () => {
    for (const [name, t] of [
      ['selfManaged', selfManaged],
      ['msk', msk],
    ] as const) {
      const mappings = emulatedMappings(packaged[name]);
      assert.deepEqual(mappings.map((m) => m.functionKey).sort(), ['infer', 'sink'], name);
      for (const m of mappings)
        assert.deepEqual(
          deployedBehaviour(mapping(t, m.functionKey)!.Properties),
          emulatedBehaviour(m),
          `${name} ${m.functionKey}`,
        );
    }
    // What osls alone would leave out: the plugin's packaging hook adds it.
    const sink = mapping(selfManaged, 'sink')!.Properties;
    assert.deepEqual(
      [sink.MaximumRetryAttempts, sink.DestinationConfig, sink.ProvisionedPollerConfig],
      [10000, { OnFailure: { Destination: 'kafka://air_quality_data.dlq' } }, { MinimumPollers: 1, MaximumPollers: 3 }],
    );
    const infer = mapping(msk, 'infer')!.Properties;
    assert.deepEqual(
      [infer.MaximumRetryAttempts, infer.BisectBatchOnFunctionError, infer.DestinationConfig],
      [3, true, { OnFailure: { Destination: 'kafka://air_quality_data.dlq' } }],
    );
  });

  test('schedules: simulate every minute (replay), compact and report hourly, train daily', () => {
    const rules = Object.fromEntries(
      ofType(selfManaged, 'AWS::Events::Rule').map(([id, r]) => [
        id.replace(/EventsRuleSchedule\d+$/, ''),
        r.Properties,
      ]),
    );
    assert.deepEqual(Object.keys(rules).sort(), ['Compact', 'Report', 'Simulate', 'Train']);
    assert.equal(rules.Simulate!.ScheduleExpression, 'rate(1 minute)');
    assert.deepEqual(
      JSON.parse(rules.Simulate!.Targets[0].Input),
      { mode: 'replay', count: 1, stations: 3 },
      'one dataset hour per minute in AWS',
    );
    assert.equal(rules.Compact!.ScheduleExpression, 'rate(1 hour)');
    assert.equal(rules.Report!.ScheduleExpression, 'rate(1 hour)');
    assert.equal(rules.Train!.ScheduleExpression, 'rate(1 day)');
  });

  test('every function: the layer, its own role, AWS S3 (the stack bucket), a supported runtime', () => {
    const [[layerId, layer]] = ofType(selfManaged, 'AWS::Lambda::LayerVersion') as [[string, Resource]];
    assert.deepEqual(layer.Properties.CompatibleArchitectures, ['x86_64']);
    assert.ok(layer.Properties.CompatibleRuntimes.includes('nodejs24.x'));
    for (const fn of FUNCTIONS) {
      const props = selfManaged.Resources[`${capitalized(fn)}LambdaFunction`]!.Properties;
      assert.deepEqual(props.Layers, [{ Ref: layerId }], fn);
      assert.deepEqual(props.Role, { 'Fn::GetAtt': [roleId(fn), 'Arn'] }, fn);
      assert.equal(props.Runtime, 'nodejs24.x', fn);
      assert.equal(
        props.Environment.Variables.S3_ENDPOINT,
        '',
        `${fn}: empty endpoint = AWS S3 with the role's credentials`,
      );
      assert.deepEqual(props.Environment.Variables.S3_BUCKET, { Ref: 'LakeBucket' }, fn);
      assert.equal(props.Environment.Variables.KAFKA_AUTH, 'sasl-scram-512', fn);
    }
    assert.equal(
      selfManaged.Resources.IamRoleLambdaExecution,
      undefined,
      'no shared role with the union of all permissions',
    );
  });

  test('the bucket: encrypted, public access blocked, versioned, TLS only, kept on stack removal', () => {
    const bucket = selfManaged.Resources.LakeBucket!;
    assert.equal(bucket.DeletionPolicy, 'Retain');
    assert.equal(
      bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault
        .SSEAlgorithm,
      'AES256',
    );
    assert.deepEqual(bucket.Properties.PublicAccessBlockConfiguration, {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    assert.equal(bucket.Properties.VersioningConfiguration.Status, 'Enabled');
    assert.equal(bucket.Properties.OwnershipControls.Rules[0].ObjectOwnership, 'BucketOwnerEnforced');
    const [deny] = selfManaged.Resources.LakeBucketPolicy!.Properties.PolicyDocument.Statement;
    assert.equal(deny.Effect, 'Deny');
    assert.deepEqual(deny.Condition, { Bool: { 'aws:SecureTransport': 'false' } });
  });

  test('least privilege: each role has exactly the S3 prefixes its function uses, no wildcard actions', () => {
    const expected: Record<string, Record<string, string[]>> = {
      simulate: {
        's3:GetObject': ['reference/uci-air-quality/*', 'state/simulate.json'],
        's3:PutObject': ['qc/simulate/*', 'reference/uci-air-quality/*', 'state/simulate.json'],
        's3:DeleteObject': [],
      },
      sink: {
        's3:GetObject': ['lake/air_quality_data/*'],
        's3:PutObject': ['lake/air_quality_data/*'],
        's3:DeleteObject': ['lake/air_quality_data/*'],
      },
      compact: {
        's3:GetObject': ['lake/air_quality_data/*'],
        's3:PutObject': ['lake/air_quality_data/*'],
        's3:DeleteObject': ['lake/air_quality_data/*'],
      },
      report: {
        's3:GetObject': ['lake/air_quality_data/*', 'reference/uci-air-quality/*', 'reports/*'],
        's3:PutObject': ['reference/uci-air-quality/*', 'reports/*'],
        's3:DeleteObject': ['reports/latest/*'],
      },
      train: {
        's3:GetObject': ['lake/air_quality_data/*', 'models/*', 'reference/uci-air-quality/*'],
        's3:PutObject': ['models/*', 'reference/uci-air-quality/*'],
        's3:DeleteObject': [],
      },
      infer: {
        's3:GetObject': ['models/*', 'state/infer/*'],
        's3:PutObject': ['predictions/*', 'state/infer/*'],
        's3:DeleteObject': [],
      },
    };
    for (const fn of FUNCTIONS) {
      for (const [action, keys] of Object.entries(expected[fn]!))
        assert.deepEqual(s3Keys(selfManaged, fn, action), keys, `${fn} ${action}`);
      const actions = actionsOf(selfManaged, fn);
      assert.ok(
        actions.every((a) => !a.includes('*')),
        `${fn}: ${actions.join(', ')}`,
      );
      const logs = statementsOf(selfManaged, fn).find((s) => s.Action.includes('logs:PutLogEvents'))!;
      assert.match(
        JSON.stringify(logs.Resource),
        new RegExp(`log-group:/aws/lambda/air-quality-pipeline-aws-${fn}:\\*`),
      );
    }
    // The secret only where a Kafka client or trigger uses it: not compact, report or train.
    for (const fn of ['compact', 'report', 'train'])
      assert.ok(!actionsOf(selfManaged, fn).includes('secretsmanager:GetSecretValue'), fn);
    for (const fn of ['simulate', 'sink', 'infer'])
      assert.ok(actionsOf(selfManaged, fn).includes('secretsmanager:GetSecretValue'), fn);
  });

  test('MSK with IAM auth: msk event sources, kafka-cluster permissions on exactly the topics and groups used, functions in the VPC', () => {
    const sink = mapping(msk, 'sink')!.Properties;
    assert.equal(sink.EventSourceArn, MSK_CLUSTER);
    assert.equal(sink.SourceAccessConfigurations, undefined, 'IAM: no secret');
    assert.deepEqual(sink.AmazonManagedKafkaEventSourceConfig, { ConsumerGroupId: 'air-quality-pipeline-aws-sink' });
    const topic = (name: string) => `${MSK_CLUSTER.replace(':cluster/', ':topic/')}/${name}`;
    const group = (name: string) => `${MSK_CLUSTER.replace(':cluster/', ':group/')}/${name}`;
    const resourcesOf = (fn: string, action: string) =>
      statementsOf(msk, fn)
        .filter((s) => s.Action.includes(action))
        .flatMap((s) => [s.Resource].flat());
    assert.deepEqual(resourcesOf('simulate', 'kafka-cluster:WriteData'), [topic('air_quality_data')]);
    assert.deepEqual(resourcesOf('sink', 'kafka-cluster:WriteData'), [topic('air_quality_data.dlq')]);
    assert.deepEqual(resourcesOf('sink', 'kafka-cluster:ReadData'), [topic('air_quality_data')]);
    assert.deepEqual(resourcesOf('sink', 'kafka-cluster:AlterGroup'), [group('air-quality-pipeline-aws-sink')]);
    // Its event source mapping writes failed records to the dead-letter topic with the function's role.
    assert.deepEqual(resourcesOf('infer', 'kafka-cluster:WriteData'), [
      topic('air_quality_predictions'),
      topic('air_quality_data.dlq'),
    ]);
    assert.deepEqual(resourcesOf('infer', 'kafka-cluster:AlterGroup'), [group('air-quality-pipeline-aws-infer')]);
    for (const fn of ['report', 'train'])
      assert.ok(!actionsOf(msk, fn).some((a) => a.startsWith('kafka')), `${fn} has no Kafka access`);
    for (const fn of FUNCTIONS) {
      const props = msk.Resources[`${capitalized(fn)}LambdaFunction`]!.Properties;
      assert.deepEqual(
        props.VpcConfig,
        { SecurityGroupIds: ['sg-0123abcd'], SubnetIds: ['subnet-0a1b2c3d', 'subnet-0e1f2a3b'] },
        fn,
      );
      assert.equal(props.Environment.Variables.KAFKA_AUTH, 'msk-iam', fn);
      assert.ok(actionsOf(msk, fn).includes('ec2:CreateNetworkInterface'), fn);
    }
  });

  test('self-managed with mTLS, a private CA and a VPC: the access configurations Lambda needs', async () => {
    const dir = await packageStage(
      'aws',
      params({
        kafkaAuth: 'mtls',
        kafkaSecretArn: SECRET,
        kafkaCaSecretArn: CA_SECRET,
        kafkaBootstrapServers: 'kafka-1.internal:9094',
        vpcSubnetIds: 'subnet-0a1b2c3d',
        vpcSecurityGroupIds: 'sg-0123abcd',
      }),
    );
    dirs.push(dir);
    linted['self-managed mTLS, private CA'] = dir;
    const t = JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
    assert.deepEqual(mapping(t, 'sink')!.Properties.SourceAccessConfigurations, [
      { Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: SECRET },
      { Type: 'SERVER_ROOT_CA_CERTIFICATE', URI: CA_SECRET },
      { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0a1b2c3d' },
      { Type: 'VPC_SECURITY_GROUP', URI: 'security_group:sg-0123abcd' },
    ]);
    const secrets = statementsOf(t, 'sink').find((s) => s.Action.includes('secretsmanager:GetSecretValue'))!;
    assert.deepEqual(secrets.Resource, [SECRET, CA_SECRET]);
  });

  test('packaging needs no network and no AWS credentials (own network namespace, empty HOME)', async (t) => {
    if (spawnSync('unshare', ['--net', 'true']).status !== 0)
      return t.skip('unshare --net is not allowed here (needs root); the other tests package without credentials only');
    const dir = mkdtempSync(join(tmpdir(), 'sls-package-isolated-'));
    dirs.push(dir);
    const result = await withoutAwsCredentials((env) =>
      spawnSync(
        'unshare',
        ['--net', '--', join(repoRoot, 'node_modules/.bin/sls'), 'package', '--stage', 'aws', '--package', dir],
        { cwd: repoRoot, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 180_000 },
      ),
    );
    assert.equal(result.status, 0, result.stdout + result.stderr);
    for (const file of [
      'cloudformation-template-update-stack.json',
      'runtime.zip',
      ...FUNCTIONS.map((fn) => `${fn}.zip`),
    ])
      assert.ok(existsSync(join(dir, file)), file);
  });

  test('an inconsistent Kafka configuration stops packaging with a message naming the fix', async () => {
    const result = await sls([
      'package',
      '--stage',
      'aws',
      '--package',
      '/tmp/sls-package-never',
      ...params({ kafkaSource: 'msk', kafkaAuth: 'msk-iam' }),
    ]);
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /param mskClusterArn is ""; set it to the cluster's ARN/);
  });

  test("every function's environment in each template is a configuration shared/config.ts accepts", () => {
    const envOf = (t: Template, fn: string) => {
      const variables = t.Resources[`${capitalized(fn)}LambdaFunction`]!.Properties.Environment.Variables as Record<
        string,
        unknown
      >;
      // CloudFormation fills the bucket name in (a Ref here); Lambda sets AWS_REGION.
      return { ...variables, S3_BUCKET: 'lake-bucket', AWS_REGION: 'eu-west-1' } as Record<string, string>;
    };
    for (const t of [selfManaged, msk, noAuthPrivateCa]) {
      for (const fn of FUNCTIONS) {
        const env = envOf(t, fn);
        assert.doesNotThrow(
          () => loadConfig(env),
          `${fn} with KAFKA_AUTH=${env.KAFKA_AUTH}${env.KAFKA_CA_SECRET_ARN ? ' and KAFKA_CA_SECRET_ARN' : ''}`,
        );
      }
    }
    const noAuth = loadConfig(envOf(noAuthPrivateCa, 'sink')).kafka;
    assert.deepEqual(
      [noAuth.auth, noAuth.tls, noAuth.caSecretArn],
      [{ mode: 'none' }, true, CA_SECRET],
      'kafkaAuth=none with a private CA: TLS without authentication',
    );
    assert.equal(
      msk.Resources.SinkLambdaFunction!.Properties.Environment.Variables.KAFKA_SECRET_ARN,
      '',
      'msk-iam: no secret reaches the functions',
    );
  });

  test('a fully configured deploy passes the placeholder check and stops only at the missing AWS credentials', async () => {
    const configured = {
      'self-managed SASL': {
        kafkaBootstrapServers: 'pkc-1.eu-west-1.aws.confluent.cloud:9092',
        kafkaAuth: 'sasl-plain',
        kafkaSecretArn: SECRET,
      },
      'MSK IAM': {
        kafkaSource: 'msk',
        kafkaAuth: 'msk-iam',
        mskClusterArn: MSK_CLUSTER,
        kafkaBootstrapServers: 'b-1.air.abc.c7.kafka.eu-west-1.amazonaws.com:9098',
        vpcSubnetIds: 'subnet-0a1b2c3d',
        vpcSecurityGroupIds: 'sg-0123abcd',
      },
    };
    for (const [name, p] of Object.entries(configured)) {
      const result = await withoutAwsCredentials((env) => sls(['deploy', '--stage', 'aws', ...params(p)], env));
      const output = result.stdout + result.stderr;
      assert.notEqual(result.code, 0, name);
      assert.doesNotMatch(output, /placeholder/, name);
      assert.match(output, /AWS provider credentials not found/, name);
    }
  });

  test('deploying with the placeholder params is refused before any AWS call', async () => {
    const result = await withoutAwsCredentials((env) => sls(['deploy', '--stage', 'aws'], env));
    assert.notEqual(result.code, 0);
    assert.match(result.stdout + result.stderr, /still has placeholder Kafka settings \(set-me\)/);
  });

  test('cfn-lint: no errors in any of the templates above', async () => {
    // The isolated package's template is the first one's (same params), so it is not linted twice.
    assert.deepEqual(Object.keys(linted).sort(), [
      'MSK IAM',
      'self-managed SASL/SCRAM',
      'self-managed mTLS, private CA',
      'self-managed without auth, private CA',
    ]);
    for (const [name, dir] of Object.entries(linted)) {
      const findings = await lintTemplate(join(dir, 'cloudformation-template-update-stack.json'));
      const errors = findings.filter((f) => f.level === 'Error');
      assert.deepEqual(errors, [], `${name}: ${JSON.stringify(errors, null, 2)}`);
      console.log(
        `cfn-lint ${name} (${dir}): ${findings.length} warnings: ${[...new Set(findings.map((f) => f.rule))].join(', ') || 'none'}`,
      );
    }
  });
});
