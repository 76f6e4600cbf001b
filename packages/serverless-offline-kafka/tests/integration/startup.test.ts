/** Starting a mapping against a broker that never answers: a clear failure within the deadline, nothing left open. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';

/** A port nothing listens on: bound once by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('MappingWorker.start against a port where nothing listens', () => {
  it('fails after startTimeoutMs with the broker and the reason, with progress lines, and the process can exit', async () => {
    const port = await closedPort();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(__dirname, '..', 'fixtures', 'unreachable-broker.ts'), String(port), '7000'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    // The test's own timeout (not an assertion) catches a process that a leftover handle keeps alive.
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 3, output);
    assert.match(
      output,
      new RegExp(
        `kafka λ test: waiting for the broker at 127\\.0\\.0\\.1:${port} \\(.*ECONNREFUSED.*\\); 0 s of 7 s[^]*waiting for the broker .*; [56] s of 7 s`,
      ),
    );
    assert.match(
      output,
      new RegExp(
        `kafka λ test: cannot start the mapping on unreachable at 127\\.0\\.0\\.1:${port}: still failing after 7 s \\(startTimeoutMs 7000\\): .*ECONNREFUSED`,
      ),
    );
    assert.doesNotMatch(output, /started/);
  });
});
