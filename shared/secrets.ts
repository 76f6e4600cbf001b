import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads the text of a secret by its ARN. */
export interface SecretReader {
  read(secretArn: string): Promise<string>;
}

/** A secret cannot be read or is not what it should be: names the secret, the problem and the fix, never its value. */
export class SecretError extends Error {
  override name = 'SecretError';
}

/**
 * AWS Secrets Manager (the function's role must allow secretsmanager:GetSecretValue on the secret). The
 * client is built (and its module loaded) on the first read, so processes that need no secret (KAFKA_AUTH=none) never
 * build one.
 */
class SecretsManagerReader implements SecretReader {
  private client?: SecretsManagerClient;

  async read(secretArn: string): Promise<string> {
    // The SDK client module is loaded with the client, not at init.
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    this.client ??= new SecretsManagerClient({});
    let value: string | undefined;
    try {
      value = (await this.client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } catch (error) {
      throw new SecretError(
        `Could not read the secret ${secretArn}: ${(error as Error).message}. Check that it exists in this region and that the function's role may call secretsmanager:GetSecretValue on it (and kms:Decrypt on its key).`,
        { cause: error },
      );
    }
    if (value === undefined)
      throw new SecretError(
        `The secret ${secretArn} has no SecretString (binary secrets are not supported); store it as JSON text.`,
      );
    return value;
  }
}

let containerSecrets: SecretReader | undefined;

/**
 * The container-wide Secrets Manager reader. Secrets are read once per container because each Kafka
 * client is built once and keeps them (KafkaMessageProducer keeps its client; a failed build, e.g. a
 * malformed secret, is retried and reads the secrets again, so a fixed secret is picked up).
 */
export function secretsManager(): SecretReader {
  containerSecrets ??= new SecretsManagerReader();
  return containerSecrets;
}
