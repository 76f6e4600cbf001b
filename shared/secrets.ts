import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** Reads the text of a secret by its ARN. */
export interface SecretReader {
  read(secretArn: string): Promise<string>;
}

/** A secret cannot be read or is not what it should be: names the secret, the problem and the fix, never its value. */
export class SecretError extends Error {
  override name = 'SecretError';
}

/** AWS Secrets Manager (the function's role must allow secretsmanager:GetSecretValue on the secret). */
export class SecretsManagerReader implements SecretReader {
  constructor(private readonly client = new SecretsManagerClient({})) {}

  async read(secretArn: string): Promise<string> {
    let value: string | undefined;
    try {
      value = (await this.client.send(new GetSecretValueCommand({ SecretId: secretArn }))).SecretString;
    } catch (error) {
      throw new SecretError(`Could not read the secret ${secretArn}: ${(error as Error).message}. Check that it exists in this region and that the function's role may call secretsmanager:GetSecretValue on it (and kms:Decrypt on its key).`, { cause: error });
    }
    if (value === undefined) throw new SecretError(`The secret ${secretArn} has no SecretString (binary secrets are not supported); store it as JSON text.`);
    return value;
  }
}

/** Reads each secret once (the promise is kept, so concurrent callers share one read); a failed read is forgotten so the next call tries again. */
export function cachedSecrets(reader: SecretReader): SecretReader {
  const cache = new Map<string, Promise<string>>();
  return {
    read(secretArn) {
      let secret = cache.get(secretArn);
      if (!secret) {
        secret = reader.read(secretArn);
        cache.set(secretArn, secret);
        secret.catch(() => cache.delete(secretArn));
      }
      return secret;
    },
  };
}

let containerSecrets: SecretReader | undefined;

/** The container-wide reader: Secrets Manager, each secret read once per container. Created on first use, so processes that need no secret never build a client. */
export function secretsManager(): SecretReader {
  containerSecrets ??= cachedSecrets(new SecretsManagerReader());
  return containerSecrets;
}
