// @ts-check
/**
 * One IAM role per function, built from `custom.access` and `custom.kafkaTriggers` in serverless.yml and
 * the Kafka params: a function can touch only the S3 keys and Kafka topics and groups it uses.
 * Every function names its role, so the framework's shared role (the union of everything) is never created.
 *
 * serverless.yml: `resources: - ${file(./deploy/iam.js):roles}`; each function: `role: <Name>Role`.
 */
const { settings, usesSecret } = require('./kafka');

/** @typedef {(address: string) => Promise<any>} ResolveVariable */
/** @typedef {{ s3Read?: string[], s3Write?: string[], s3Delete?: string[], kafkaProduce?: string[] }} Access */
/** @typedef {{ topic: string, consumerGroupId: string }} Trigger */
/** @typedef {{ Effect: 'Allow', Action: string[], Resource: unknown, Condition?: unknown }} Statement */

const BUCKET_ARN = { 'Fn::GetAtt': ['LakeBucket', 'Arn'] };

/** `lake/x/` (a prefix) → every key under it; `state/simulate.json` → that key. */
const objectArn = (/** @type {string} */ key) => ({
  'Fn::Sub': `\${LakeBucket.Arn}/${key}${key.endsWith('/') ? '*' : ''}`,
});

const allow = (/** @type {string[]} */ Action, /** @type {unknown} */ Resource) =>
  /** @type {Statement} */ ({ Effect: 'Allow', Action, Resource });

/** `…:cluster/<name>/<uuid>` → `…:topic/<name>/<uuid>/<topic>` (and `group/` alike): MSK's IAM resource names. */
const mskArn = (/** @type {string} */ clusterArn, /** @type {'topic' | 'group'} */ kind, /** @type {string} */ name) =>
  `${clusterArn.replace(':cluster/', `:${kind}/`)}/${name}`;

/** @param {Access} access */
function s3Statements(access) {
  const statements = [
    // Names only, on the whole bucket: without s3:ListBucket a missing key reads as 403 instead of 404,
    // and the functions treat "not there yet" (first run, no model yet) as a normal state.
    allow(['s3:ListBucket'], BUCKET_ARN),
  ];
  if (access.s3Read?.length) statements.push(allow(['s3:GetObject'], access.s3Read.map(objectArn)));
  if (access.s3Write?.length) statements.push(allow(['s3:PutObject'], access.s3Write.map(objectArn)));
  if (access.s3Delete?.length) statements.push(allow(['s3:DeleteObject'], access.s3Delete.map(objectArn)));
  return statements;
}

/**
 * What the function's Kafka client (producing) and, for triggered functions, Lambda's event source
 * mapping (polling with the function's role) need.
 * @param {Awaited<ReturnType<typeof settings>>} kafka
 * @param {Access} access
 * @param {Trigger | undefined} trigger
 */
function kafkaStatements(kafka, access, trigger) {
  const produced = access.kafkaProduce ?? [];
  const produces = produced.length > 0;
  if (kafka.source === 'local' || !(produces || trigger)) return [];
  const statements = [];
  const withSecret = usesSecret(kafka);
  if (withSecret || kafka.caSecretArn) {
    const secrets = [...(withSecret ? [kafka.secretArn] : []), ...(kafka.caSecretArn ? [kafka.caSecretArn] : [])];
    statements.push(allow(['secretsmanager:GetSecretValue'], secrets));
    if (kafka.secretKmsKeyArn) {
      statements.push({
        ...allow(['kms:Decrypt'], kafka.secretKmsKeyArn),
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template literal
        Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'secretsmanager.${AWS::Region}.amazonaws.com' } } },
      });
    }
  }
  if (kafka.source === 'msk' && trigger) {
    statements.push(allow(['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'], kafka.mskClusterArn));
  }
  if (kafka.source === 'msk' && kafka.auth === 'msk-iam') {
    const topics = [...produced, ...(trigger ? [trigger.topic] : [])];
    const clusterActions = [
      'kafka-cluster:Connect',
      ...(produces ? ['kafka-cluster:WriteDataIdempotently'] : []),
      ...(trigger ? ['kafka-cluster:DescribeClusterDynamicConfiguration'] : []),
    ];
    statements.push(allow(clusterActions, kafka.mskClusterArn));
    statements.push(
      allow(
        ['kafka-cluster:DescribeTopic'],
        topics.map((t) => mskArn(kafka.mskClusterArn, 'topic', t)),
      ),
    );
    if (produces)
      statements.push(
        allow(
          ['kafka-cluster:WriteData'],
          produced.map((t) => mskArn(kafka.mskClusterArn, 'topic', t)),
        ),
      );
    if (trigger) {
      statements.push(allow(['kafka-cluster:ReadData'], mskArn(kafka.mskClusterArn, 'topic', trigger.topic)));
      statements.push(
        allow(
          ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
          mskArn(kafka.mskClusterArn, 'group', trigger.consumerGroupId),
        ),
      );
    }
  }
  return statements;
}

/**
 * In a VPC: the function's network interfaces, and the event source mapping's look-ups of the VPC.
 * EC2 has no resource-level permissions for these actions.
 * @param {Awaited<ReturnType<typeof settings>>} kafka
 */
function vpcStatements(kafka) {
  if (kafka.subnetIds.length === 0) return [];
  const networkInterfaces = [
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DeleteNetworkInterface',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
  ];
  const lookups = ['ec2:DescribeSubnets', 'ec2:DescribeVpcs', 'ec2:DescribeSecurityGroups'];
  return [allow([...networkInterfaces, ...lookups], '*')];
}

const roleId = (/** @type {string} */ fn) => `${fn[0]?.toUpperCase()}${fn.slice(1)}Role`;

/** @param {{ resolveVariable: ResolveVariable }} ctx */
async function roles({ resolveVariable }) {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const tracing = String(await resolveVariable('param:tracing')) === 'true';
  /** @type {Record<string, Access>} */
  const accessByFunction = await resolveVariable('self:custom.access');
  /** @type {Record<string, Trigger>} */
  const triggers = await resolveVariable('self:custom.kafkaTriggers');
  const kafka = await settings(resolveVariable);

  /** @type {Record<string, unknown>} */
  const resources = {};
  for (const [fn, access] of Object.entries(accessByFunction)) {
    const logGroup = `/aws/lambda/${service}-${stage}-${fn}`;
    const statements = [
      // The log group itself is created by the stack (with its retention), so no logs:CreateLogGroup.
      allow(['logs:CreateLogStream', 'logs:PutLogEvents'], {
        'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:${logGroup}:*`,
      }),
      ...(tracing ? [allow(['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], '*')] : []),
      ...s3Statements(access),
      ...kafkaStatements(kafka, access, triggers[fn]),
      ...vpcStatements(kafka),
    ];
    resources[roleId(fn)] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `${service} ${stage}: what the ${fn} function may access`,
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        },
        Policies: [{ PolicyName: `${fn}-access`, PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
      },
    };
  }
  return { Resources: resources };
}

module.exports = { roles, roleId };
