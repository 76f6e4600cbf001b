/**
 * Shares one published report run with someone who has no credentials, through one expiring link.
 *
 * index.html already inlines its charts, so it renders from a single presigned URL; what would break
 * are its relative links to the run's CSVs, PNGs and summary.md (they would reach the private bucket
 * unsigned). So every artifact of the run is presigned, and a copy of index.html with those links
 * replaced is written under reports/shares/ (inside what the report function may write in AWS) and
 * presigned itself, all signed at one instant with one expiry.
 */
import { randomUUID } from 'node:crypto';
import type { ObjectPresigner, ObjectStore } from '../../shared/object-store';
import { sharePage } from './artifacts/share-page';

interface ShareRequest {
  /** A run id (2026-11-24T21-00-00.000Z) or "latest", which is resolved to the run it mirrors now. */
  run: string;
  expiresInSeconds: number;
  /** Where runs are published; tests use their own. */
  reportsPrefix?: string;
  /** The run's artifact names and index.html when the caller has just published it (run is its id): not read back from the bucket. */
  published?: PublishedRun;
}

interface PublishedRun {
  names: readonly string[];
  indexHtml: string;
}

/** The artifact names and index.html of a run in the bucket. */
async function readRun(store: ObjectStore, reportsPrefix: string, runId: string): Promise<PublishedRun> {
  const runPrefix = `${reportsPrefix}/${runId}/`;
  const index = await store.get(`${runPrefix}index.html`);
  if (!index)
    throw new ReportNotFoundError(
      `No report run ${runId} at s3://${store.bucket}/${runPrefix}: share "latest" or the id of a run listed under ${reportsPrefix}/.`,
    );
  const names = (await store.list(runPrefix)).map((key) => key.slice(runPrefix.length));
  return { names, indexHtml: Buffer.from(index.body).toString('utf8') };
}

export interface ReportShare {
  runId: string;
  /** The one link to give away: the report page, whose file links are presigned as well. */
  url: string;
  /** ISO time when the page and every link in it stop working. */
  expiresAt: string;
  /** True when the signing credentials (temporary: role, SSO) expire before the requested expiry and end the links then. */
  cutShortByCredentials: boolean;
  /** The share page's key in the bucket. */
  key: string;
}

/** The run to share does not exist. */
class ReportNotFoundError extends Error {
  override name = 'ReportNotFoundError';
}

const RUN_ID = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z$/;

/** The run id behind "latest" (from latest/'s metadata), or the given run id once checked. */
async function resolveRunId(store: ObjectStore, reportsPrefix: string, run: string): Promise<string> {
  if (run !== 'latest') {
    if (!RUN_ID.test(run))
      throw new ReportNotFoundError(
        `The run to share must be "latest" or a run id like 2026-11-24T21-00-00.000Z; got "${run}".`,
      );
    return run;
  }
  // Sharing the run latest/ points at keeps the link stable when the next run replaces latest/.
  const runId = (await store.head(`${reportsPrefix}/latest/index.html`))?.metadata['report-run'];
  if (!runId)
    throw new ReportNotFoundError(
      `No report under s3://${store.bucket}/${reportsPrefix}/latest/ yet: publish one first (npx sls invoke local -f report --data '{}').`,
    );
  return runId;
}

export async function shareReport(store: ObjectStore & ObjectPresigner, request: ShareRequest): Promise<ReportShare> {
  const reportsPrefix = request.reportsPrefix ?? 'reports';
  const runId = await resolveRunId(store, reportsPrefix, request.run);
  const runPrefix = `${reportsPrefix}/${runId}/`;
  const { names, indexHtml } = request.published ?? (await readRun(store, reportsPrefix, runId));

  const signedAt = new Date();
  const sign = (key: string) => store.presignGet(key, request.expiresInSeconds, signedAt);
  const links = new Map(
    await Promise.all(names.map(async (name) => [name, (await sign(runPrefix + name)).url] as const)),
  );
  const key = `${reportsPrefix}/shares/${runId}/${randomUUID()}.html`;
  const page = await sign(key);
  const html = sharePage({ html: indexHtml, runId, links, expiresAt: page.expiresAt });
  await store.put(key, html, {
    contentType: 'text/html; charset=utf-8',
    metadata: { 'report-run': runId, 'expires-at': page.expiresAt.toISOString() },
  });
  return {
    runId,
    url: page.url,
    expiresAt: page.expiresAt.toISOString(),
    cutShortByCredentials: page.cutShortByCredentials,
    key,
  };
}
