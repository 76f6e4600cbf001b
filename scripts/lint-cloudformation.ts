/**
 * Lints the CloudFormation template of a stage with AWS's cfn-lint (from PyPI, a development tool only).
 *
 *   npm run lint:cfn                        # stage aws with serverless.yml's placeholder params
 *   npm run lint:cfn -- --stage prod --param="kafkaSource=msk" ...
 *
 * Packages the service into a temporary directory (no network, no credentials), then prints every
 * finding; exits 1 when there is an error. cfn-lint is installed on first use (scripts/pip-tool.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePipPackage } from './pip-tool';
import { sls } from './sls';

const CFN_LINT_VERSION = '1.58.0';

export interface CfnLintFinding {
  rule: string;
  level: 'Error' | 'Warning' | 'Informational';
  message: string;
  path: string;
}

/** The cfn-lint executable, installed from PyPI when missing. */
async function ensureCfnLint(): Promise<string> {
  return join(await ensurePipPackage('cfn-lint', CFN_LINT_VERSION), 'bin', 'cfn-lint');
}

/** Every finding of cfn-lint on a template file. */
export async function lintTemplate(templatePath: string): Promise<CfnLintFinding[]> {
  const result = spawnSync(await ensureCfnLint(), ['--format', 'json', templatePath], { encoding: 'utf8' });
  // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 informational); 1 is a crash.
  if (result.status === null || result.status === 1)
    throw new Error(`cfn-lint failed on ${templatePath}: ${result.stderr || result.error?.message}`);
  const raw = JSON.parse(result.stdout || '[]') as {
    Rule: { Id: string };
    Level: CfnLintFinding['level'];
    Message: string;
    Location: { Path?: (string | number)[] };
  }[];
  return raw.map((f) => ({
    rule: f.Rule.Id,
    level: f.Level,
    message: f.Message,
    path: (f.Location.Path ?? []).join('/'),
  }));
}

/** `sls package` of a stage into a new temporary directory: the directory with the template and the zips. */
export async function packageStage(stage: string, slsArgs: string[] = []): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `sls-package-${stage}-`));
  const result = await sls(['package', '--stage', stage, '--package', dir, ...slsArgs]);
  if (result.code !== 0) throw new Error(`sls package --stage ${stage} failed:\n${result.stdout}\n${result.stderr}`);
  return dir;
}

async function main(argv: string[]) {
  const stageAt = argv.indexOf('--stage');
  const stage = stageAt >= 0 ? argv[stageAt + 1]! : 'aws';
  const rest = stageAt >= 0 ? [...argv.slice(0, stageAt), ...argv.slice(stageAt + 2)] : argv;
  const dir = await packageStage(stage, rest);
  const template = join(dir, 'cloudformation-template-update-stack.json');
  const findings = await lintTemplate(template);
  for (const f of findings) console.log(`${f.level.padEnd(13)} ${f.rule}  ${f.path}\n              ${f.message}`);
  const errors = findings.filter((f) => f.level === 'Error').length;
  console.log(
    `cfn-lint ${CFN_LINT_VERSION} on ${template}: ${errors} errors, ${findings.length - errors} warnings/informational`,
  );
  process.exitCode = errors > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  });
}
