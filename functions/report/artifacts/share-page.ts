/**
 * A report's index.html made shareable: its relative links to the run's other artifacts (the Files
 * list; images too, should a page reference them by name) become presigned URLs that expire with the page.
 */

const escapeHtml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface SharePageInput {
  /** The run's index.html as published. */
  html: string;
  runId: string;
  /** Presigned URL of each artifact of the run, by artifact name (e.g. anomalies.csv). */
  links: ReadonlyMap<string, string>;
  expiresAt: Date;
}

const BANNER_STYLE = 'background:#fff8e1;border:1px solid #f0c36d;padding:.5rem .75rem;font-size:.9rem';

export function sharePage({ html, runId, links, expiresAt }: SharePageInput): string {
  if (!html.includes('<body>'))
    throw new Error(
      `index.html of report ${runId} has no <body>: it was not written by the report function; publish the report again.`,
    );
  let page = html;
  // Exact attribute values, as marked writes them for [name](name) and ![alt](name): no other text can match.
  for (const [name, url] of links) {
    const attribute = escapeHtml(name);
    page = page
      .replaceAll(`href="${attribute}"`, `href="${escapeHtml(url)}"`)
      .replaceAll(`src="${attribute}"`, `src="${escapeHtml(url)}"`);
  }
  const banner = `<p style="${BANNER_STYLE}">Shared copy of report run ${escapeHtml(runId)}. This page and the files it links to can be opened until ${escapeHtml(expiresAt.toISOString())}; after that the links stop working.</p>`;
  return page.replace('<body>', `<body>\n${banner}`);
}
