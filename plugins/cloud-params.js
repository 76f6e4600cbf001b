// @ts-check
/**
 * Refuses to deploy a stage whose Kafka params are still the placeholders of serverless.yml (or the local
 * stack's), naming what to set. `sls package` is left alone so the template can be inspected without them.
 */
const PLACEHOLDERS = ['set-me', 'local-stack-has-no-auth'];

class CloudParamsPlugin {
  /** @param {any} serverless */
  constructor(serverless) {
    this.serverless = serverless;
    // Before packaging starts: a deploy's first AWS call comes during packaging (the layer lookup).
    this.hooks = { 'before:package:initialize': () => this.check() };
  }

  check() {
    if (this.serverless.processedInput?.commands?.[0] !== 'deploy') return;
    // What gets deployed, resolved: not the `params` block itself, whose defaults always hold the placeholders.
    const { provider, functions, resources } = this.serverless.configurationInput;
    const deployed = JSON.stringify({ provider, functions, resources });
    const found = PLACEHOLDERS.filter((p) => deployed.includes(p));
    if (found.length === 0) return;
    throw new this.serverless.classes.Error(
      `Stage "${this.serverless.service.provider.stage}" still has placeholder Kafka settings (${found.join(', ')}). ` +
        'Set kafkaSource, kafkaBootstrapServers, kafkaAuth and kafkaSecretArn (or mskClusterArn and the VPC ids for MSK) ' +
        'with --param="name=value" or a params block for the stage: see README, "Deploy to AWS". The local stage is never deployed.',
    );
  }
}

module.exports = CloudParamsPlugin;
