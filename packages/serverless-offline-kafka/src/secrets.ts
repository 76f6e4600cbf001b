/**
 * The secrets that access configurations name, offline: a git-ignored JSON file that maps each Secrets Manager ARN
 * (or the secret's name) to the secret's value, in the format Lambda reads from Secrets Manager. Read once, when a
 * mapping first needs a secret.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SecretSource } from './access';

const DEFAULT_SECRETS_FILE = '.serverless-offline-kafka/secrets.json';
/** Names another secrets file; wins over `custom.serverless-offline-kafka.secretsFile`. */
const SECRETS_FILE_VARIABLE = 'SERVERLESS_OFFLINE_KAFKA_SECRETS';

/** The secrets file in use, relative to `cwd` (the service's directory under `sls offline start`). */
export function secretsFilePath(
  configured: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
): string {
  return resolve(cwd, env[SECRETS_FILE_VARIABLE] || configured || DEFAULT_SECRETS_FILE);
}

export function fileSecrets(path: string): SecretSource {
  let secrets: Record<string, unknown> | undefined;
  return {
    location: path,
    get(arn) {
      secrets ??= readSecretsFile(path, arn);
      // A key may be the full ARN or the secret's name (what follows ":secret:").
      return secrets[arn] ?? secrets[arn.split(':secret:')[1] ?? arn];
    },
  };
}

function readSecretsFile(path: string, firstArn: string): Record<string, unknown> {
  const layout = `{"${firstArn}": <the secret's JSON>, ...}`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new Error(
      `secret ${firstArn} cannot be read: offline, secrets come from the secrets file ${path}, which does not exist; ` +
        `create it (keep it out of git) as ${layout}, or name another one with ${SECRETS_FILE_VARIABLE} or custom.serverless-offline-kafka.secretsFile.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Only the position: V8's message may quote the file, secrets included.
    const position = /line \d+ column \d+/.exec((error as Error).message)?.[0];
    throw new Error(
      `the secrets file ${path} is not JSON${position ? ` (at ${position})` : ''}; write it as ${layout}.`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new Error(`the secrets file ${path} is not a JSON object; write it as ${layout}.`);
  return parsed as Record<string, unknown>;
}
