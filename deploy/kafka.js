// @ts-check
/**
 * The Kafka side of serverless.yml, built from the stage's params so that one configuration serves
 * the local stack, any self-managed Kafka (Confluent Cloud, Kafka on EC2, …) and Amazon MSK:
 * switching is a matter of params, never of code.
 *
 * serverless.yml calls the exported functions through `${file(./deploy/kafka.js):<name>}`;
 * `trigger(name)` turns `custom.kafkaTriggers.<name>` (topic, group, batching) into a `kafka` or `msk` event.
 */

/** @typedef {(address: string) => Promise<any>} ResolveVariable */

const SOURCES = ['local', 'self-managed', 'msk'];
/** kafkaAuth → the access configuration of a self-managed event source (Lambda's SourceAccessConfigurations). */
const SELF_MANAGED_AUTH = {
  'sasl-plain': 'saslPlainAuth',
  'sasl-scram-256': 'saslScram256Auth',
  'sasl-scram-512': 'saslScram512Auth',
  mtls: 'clientCertificateTlsAuth',
  none: undefined,
};
/** MSK event sources authenticate with the function's IAM role, or with a SCRAM secret. */
const MSK_AUTH = ['msk-iam', 'sasl-scram-512'];
/**
 * Local only: the stack has no authentication and serverless-offline-kafka ignores access configurations,
 * but the framework's `kafka` event requires one. The `local` source is never deployed (plugins/cloud-params.js).
 */
const LOCAL_ACCESS = {
  saslScram512Auth: ['arn:aws:secretsmanager:us-east-1:000000000000:secret:local-stack-has-no-auth'],
};

class KafkaConfigError extends Error {
  name = 'KafkaConfigError';
}

const list = (/** @type {unknown} */ value) =>
  String(value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** @param {ResolveVariable} resolveVariable */
async function settings(resolveVariable) {
  const param = async (/** @type {string} */ name) => String((await resolveVariable(`param:${name}`)) ?? '').trim();
  const source = await param('kafkaSource');
  const auth = await param('kafkaAuth');
  const s = {
    source,
    auth,
    bootstrapServers: list(await param('kafkaBootstrapServers')),
    secretArn: await param('kafkaSecretArn'),
    caSecretArn: await param('kafkaCaSecretArn'),
    secretKmsKeyArn: await param('kafkaSecretKmsKeyArn'),
    mskClusterArn: await param('mskClusterArn'),
    subnetIds: list(await param('vpcSubnetIds')),
    securityGroupIds: list(await param('vpcSecurityGroupIds')),
  };
  validate(s);
  return s;
}

/** @param {Awaited<ReturnType<typeof settings>>} s */
function validate(s) {
  if (!SOURCES.includes(s.source))
    throw new KafkaConfigError(`param kafkaSource is "${s.source}"; use one of ${SOURCES.join(', ')}.`);
  if (s.bootstrapServers.length === 0)
    throw new KafkaConfigError(
      'param kafkaBootstrapServers is empty; set it to the brokers (host:port, comma-separated) the functions produce to.',
    );
  if ((s.subnetIds.length === 0) !== (s.securityGroupIds.length === 0)) {
    throw new KafkaConfigError(
      'params vpcSubnetIds and vpcSecurityGroupIds go together: set both (comma-separated ids) to run in a VPC, or neither.',
    );
  }
  if (s.source === 'msk') {
    if (!MSK_AUTH.includes(s.auth))
      throw new KafkaConfigError(
        `param kafkaAuth is "${s.auth}" but MSK event sources support ${MSK_AUTH.join(' or ')}.`,
      );
    if (!/^arn:aws[a-z-]*:kafka:[^:]+:\d{12}:cluster\/[^/]+\/[^/]+$/.test(s.mskClusterArn)) {
      throw new KafkaConfigError(
        `param mskClusterArn is "${s.mskClusterArn}"; set it to the cluster's ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>).`,
      );
    }
    if (s.subnetIds.length === 0)
      throw new KafkaConfigError(
        'MSK brokers are only reachable inside their VPC: set params vpcSubnetIds and vpcSecurityGroupIds so the functions that produce can reach them.',
      );
    if (s.auth === 'sasl-scram-512' && !s.secretKmsKeyArn.startsWith('arn:')) {
      throw new KafkaConfigError(
        'param kafkaAuth "sasl-scram-512" on MSK needs param kafkaSecretKmsKeyArn: MSK only accepts SCRAM secrets encrypted with a customer-managed KMS key; set it to that key\'s ARN (arn:aws:kms:<region>:<account>:key/<id>).',
      );
    }
  }
  if (s.source === 'self-managed') {
    if (!(s.auth in SELF_MANAGED_AUTH))
      throw new KafkaConfigError(
        `param kafkaAuth is "${s.auth}"; for self-managed Kafka use one of ${Object.keys(SELF_MANAGED_AUTH).join(', ')}.`,
      );
    if (s.auth === 'none' && s.subnetIds.length === 0) {
      throw new KafkaConfigError(
        'param kafkaAuth is "none": Lambda reaches an unauthenticated self-managed Kafka only inside a VPC; set vpcSubnetIds and vpcSecurityGroupIds, or choose an authentication.',
      );
    }
  }
  if (usesSecret(s) && !s.secretArn.startsWith('arn:'))
    throw new KafkaConfigError(
      `param kafkaAuth "${s.auth}" needs param kafkaSecretArn: the ARN of the Secrets Manager secret with the credentials.`,
    );
}

/**
 * Whether the stage's Kafka authentication reads kafkaSecretArn (SASL or mTLS; not MSK IAM, not none, not local).
 * @param {{ source: string, auth: string }} s
 */
const usesSecret = (s) => s.source !== 'local' && s.auth !== 'none' && s.auth !== 'msk-iam';

/** @param {Awaited<ReturnType<typeof settings>>} s */
function accessConfigurations(s) {
  if (s.source === 'local') return LOCAL_ACCESS;
  /** @type {Record<string, string[]>} */
  const access = {};
  const authKey = SELF_MANAGED_AUTH[/** @type {keyof typeof SELF_MANAGED_AUTH} */ (s.auth)];
  if (authKey) access[authKey] = [s.secretArn];
  if (s.caSecretArn) access.serverRootCaCertificate = [s.caSecretArn];
  if (s.subnetIds.length > 0) {
    access.vpcSubnet = s.subnetIds;
    access.vpcSecurityGroup = s.securityGroupIds;
  }
  return access;
}

/**
 * The `kafka` or `msk` event of one function, from `custom.kafkaTriggers.<name>`.
 * @param {string} name
 */
const trigger =
  (name) =>
  /** @param {{ resolveVariable: ResolveVariable }} ctx */
  async ({ resolveVariable }) => {
    const s = await settings(resolveVariable);
    const common = await resolveVariable(`self:custom.kafkaTriggers.${name}`);
    if (s.source === 'msk') {
      return {
        msk: { ...common, arn: s.mskClusterArn, ...(s.auth === 'sasl-scram-512' ? { saslScram512: s.secretArn } : {}) },
      };
    }
    return {
      kafka: { ...common, bootstrapServers: s.bootstrapServers, accessConfigurations: accessConfigurations(s) },
    };
  };

/**
 * The functions' own VPC placement: needed to produce to MSK or to a Kafka inside a VPC.
 * Empty lists are how Lambda says "no VPC" (the framework's schema wants both keys).
 * @param {{ resolveVariable: ResolveVariable }} ctx
 */
async function vpc({ resolveVariable }) {
  const s = await settings(resolveVariable);
  return { subnetIds: s.subnetIds, securityGroupIds: s.securityGroupIds };
}

/**
 * What the functions' Kafka client needs (shared/config.ts): the same authentication as the event source,
 * except locally, where the stack has none.
 * @param {{ resolveVariable: ResolveVariable }} ctx
 */
async function clientAuth({ resolveVariable }) {
  const s = await settings(resolveVariable);
  return s.source === 'local' ? 'none' : s.auth;
}

/**
 * The secret the functions' client reads: empty unless its authentication uses one (shared/config.ts refuses
 * a secret with msk-iam or none, so a leftover kafkaSecretArn must not reach the functions).
 * @param {{ resolveVariable: ResolveVariable }} ctx
 */
async function clientSecretArn({ resolveVariable }) {
  const s = await settings(resolveVariable);
  return usesSecret(s) ? s.secretArn : '';
}

module.exports = {
  sink: trigger('sink'),
  infer: trigger('infer'),
  vpc,
  clientAuth,
  clientSecretArn,
  settings,
  usesSecret,
};
