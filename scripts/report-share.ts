/**
 * Prints a link that shows a published report to someone without credentials, until it expires.
 *   npm run report:share -- [runId|latest] [--expires 24h] [--prefix reports] [--json]
 */
import { parseArgs } from 'node:util';
import { shareReport } from '../functions/report/share';
import { loadConfig } from '../shared/config';
import { parseLinkExpiry } from '../shared/link-expiry';
import { S3ObjectStore } from '../shared/object-store';

const USAGE = `Usage: npm run report:share -- [runId|latest] [--expires 24h] [--prefix reports] [--json]
  runId|latest  the run to share (default latest: the run reports/latest/ mirrors now)
  --expires     how long the link works: 1s to 7d (30m, 24h, 7d, or seconds); default 24h
  --prefix      where the report function publishes runs; default reports
  --json        print the result as JSON`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      expires: { type: 'string', default: '24h' },
      prefix: { type: 'string', default: 'reports' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return console.log(USAGE);
  if (positionals.length > 1) throw new Error(`Give one run to share, got ${positionals.join(' ')}.\n${USAGE}`);

  const expiresInSeconds = parseLinkExpiry(values.expires);
  const share = await shareReport(new S3ObjectStore(loadConfig().s3), {
    run: positionals[0] ?? 'latest',
    expiresInSeconds,
    reportsPrefix: values.prefix,
  });
  if (values.json) return console.log(JSON.stringify(share, null, 2));

  console.log(`Report run ${share.runId}, shared until ${share.expiresAt}:\n${share.url}`);
  if (share.cutShortByCredentials) {
    console.error(
      `Note: the temporary credentials that signed it expire at ${share.expiresAt}, before the ${values.expires} asked for; sign with longer-lived credentials for a longer link.`,
    );
  }
  const { hostname, origin } = new URL(share.url);
  if (['localhost', '127.0.0.1', '::1'].includes(hostname))
    console.error(`Note: the link points at ${origin}; only someone who reaches that address can open it.`);
}

main().catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
