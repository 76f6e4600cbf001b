import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compactTopic } from '../../../functions/compact/compact';
import { loadConfig } from '../../../shared/config';
import { ensurePipPackage } from '../../../scripts/pip-tool';
import {
  cleanUp,
  DAY0,
  filesByDay,
  hourlyRecords,
  sinkInBatches,
  STATIONS,
  store,
  uniqueTopic,
  writeLake,
} from './support';

const s3 = loadConfig().s3;
const topic = uniqueTopic();
after(() => cleanUp([topic]));

let python: string;
before(async () => {
  python = join(await ensurePipPackage('pyarrow', '26.0.1'), 'bin', 'python');
});

interface Counts {
  files: number;
  allParquetFiles: number;
  rows: number;
  distinctReadings: number;
  days: string[];
}

/** The lake as pyarrow reads it following README's exactly-once view (read_lake.py). */
function pyarrowCounts(): Counts {
  const out = execFileSync(python, [join(__dirname, 'read_lake.py'), s3.endpoint!, s3.bucket, topic], {
    encoding: 'utf8',
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: s3.credentials!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.credentials!.secretAccessKey,
    },
  });
  return JSON.parse(out) as Counts;
}

const HOURS = 90;
const PARTITIONS = [0, 1];

describe('pyarrow reads the lake with Hive partitioning and the documented exactly-once view', () => {
  it('counts every reading once: small files, a compaction that crashed after recording, late files, a full compaction', async () => {
    await writeLake(topic, PARTITIONS, HOURS);
    let readings = HOURS * STATIONS.length * PARTITIONS.length;
    const small = pyarrowCounts();
    assert.deepEqual([small.rows, small.distinctReadings], [readings, readings]);
    assert.deepEqual(small.days, ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28']);

    // A compaction dies after recording, before deleting: the small files it replaced are left beside it.
    await assert.rejects(
      compactTopic(store, { topic }, async (step) => {
        if (step.step === 'recorded') throw new Error('injected crash after recording');
      }),
      /injected crash/,
    );
    // And a late reading of the first day arrives after the compaction (a new small file there).
    const late = hourlyRecords(topic, 0, [0], HOURS * STATIONS.length, 1000);
    await sinkInBatches(late, 10);
    readings += STATIONS.length;
    const leftovers = pyarrowCounts();
    assert.ok(leftovers.allParquetFiles > leftovers.files, 'leftover small files are in the bucket');
    assert.deepEqual([leftovers.rows, leftovers.distinctReadings], [readings, readings]);

    await compactTopic(store, { topic });
    assert.equal((await filesByDay(topic)).get(`0/${DAY0}`)!.small, 0);
    const compacted = pyarrowCounts();
    assert.equal(compacted.allParquetFiles, compacted.files, 'nothing left to ignore');
    assert.deepEqual([compacted.rows, compacted.distinctReadings], [readings, readings]);
  });
});
