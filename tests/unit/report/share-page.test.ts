import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { htmlPage } from '../../../functions/report/artifacts/html';
import { sharePage } from '../../../functions/report/artifacts/share-page';

const html = htmlPage(
  'Air-quality report',
  '# Report\n\n![Daily](daily_pattern.png)\n\n![Inline](data:image/png;base64,AAAA)\n\n## Files\n\n- [anomalies.csv](anomalies.csv)\n- [summary.md](summary.md)\n\nSee anomalies.csv for all hours.\n',
);
const links = new Map([
  ['anomalies.csv', 'http://s3.test/b/reports/r/anomalies.csv?X-Amz-Expires=60&X-Amz-Signature=a1'],
  ['summary.md', 'http://s3.test/b/reports/r/summary.md?X-Amz-Expires=60&X-Amz-Signature=b2'],
  ['daily_pattern.png', 'http://s3.test/b/reports/r/daily_pattern.png?X-Amz-Expires=60&X-Amz-Signature=c3'],
]);
const expiresAt = new Date('2026-11-25T21:00:00Z');
const page = sharePage({ html, runId: '2026-11-24T21-00-00.000Z', links, expiresAt });

describe('sharePage', () => {
  it('points every file link and image of the run at its presigned URL, attribute-escaped', () => {
    assert.match(
      page,
      /<a href="http:\/\/s3\.test\/b\/reports\/r\/anomalies\.csv\?X-Amz-Expires=60&amp;X-Amz-Signature=a1">anomalies\.csv<\/a>/,
    );
    assert.match(
      page,
      /<a href="http:\/\/s3\.test\/b\/reports\/r\/summary\.md\?X-Amz-Expires=60&amp;X-Amz-Signature=b2">summary\.md<\/a>/,
    );
    assert.match(
      page,
      /<img src="http:\/\/s3\.test\/b\/reports\/r\/daily_pattern\.png\?X-Amz-Expires=60&amp;X-Amz-Signature=c3" alt="Daily">/,
    );
    assert.doesNotMatch(
      page,
      /(href|src)="(anomalies\.csv|summary\.md|daily_pattern\.png)"/,
      'no relative link is left',
    );
  });

  it('leaves inlined images and text that merely names a file alone', () => {
    assert.match(page, /<img src="data:image\/png;base64,AAAA" alt="Inline">/);
    assert.match(page, /See anomalies\.csv for all hours\./);
  });

  it('says which run it is and until when it can be opened', () => {
    assert.match(
      page,
      /<body>\n<p [^>]*>Shared copy of report run 2026-11-24T21-00-00\.000Z\. This page and the files it links to can be opened until 2026-11-25T21:00:00\.000Z; after that the links stop working\.<\/p>/,
    );
  });

  it('refuses a page the report function did not write', () => {
    assert.throws(
      () => sharePage({ html: 'not html', runId: 'r', links, expiresAt }),
      /index\.html of report r has no <body>.*publish the report again/,
    );
  });
});
