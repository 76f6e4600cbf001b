/**
 * A lake written straight into the real bucket with shared/lake.ts's own encoder and keys (no Kafka, no sink):
 * readers are benchmarked on files shaped as the sink or compaction leaves them.
 */
import { preprocess } from '@air-quality/preprocessing';
import pLimit from 'p-limit';
import { datasetRows } from '../../functions/simulate/messages';
import { PREPARED_OPTIONS } from '../../shared/dataset';
import { advanceWatermark, dataFileKey, lakeParquet, readWatermark, type LakeRow } from '../../shared/lake';
import type { ObjectStore } from '../../shared/object-store';
import { readDatasetText } from '../../tests/support/dataset';

/** Where a reading sits: its station, per-station sequence and event time; its values are dataset row `rowIndex` (modulo its length). */
export interface Emission {
  stationId: string;
  sequence: number;
  observedAtMs: number;
  rowIndex: number;
}

/** One lake file: the rows of one partition's offsets [startOffset, startOffset + emissions.length). */
export interface PlannedFile {
  partition: number;
  startOffset: number;
  emissions: Emission[];
}

const PUT_CONCURRENCY = 16;

/** Lake rows built from the real (prepared) dataset's rows, as the simulator builds its readings. */
export function readingsFromDataset(): (emission: Emission, partition: number, offset: number) => LakeRow {
  const { table } = preprocess(readDatasetText(), PREPARED_OPTIONS);
  const rows = datasetRows(table);
  return ({ stationId, sequence, observedAtMs, rowIndex }, partition, offset) => {
    const r = rows.reading({ stationId, sequence, rowIndex: rowIndex % rows.length, observedAtMs });
    return {
      eventId: r.eventId,
      stationId,
      sequence,
      observedAt: observedAtMs,
      sourceTime: Date.parse(r.sourceTime),
      readings: r.readings,
      imputed: r.quality.imputed,
      clipped: r.quality.clipped,
      partition,
      offset,
    };
  };
}

/**
 * Writes the files (each under the key the sink would give it) and moves every partition's watermark past its last
 * offset, so all rows are committed. Returns the bytes written and the time spent encoding.
 */
export async function writeLake(
  store: ObjectStore,
  topic: string,
  files: Iterable<PlannedFile>,
  toRow: ReturnType<typeof readingsFromDataset>,
): Promise<{ files: number; rows: number; bytes: number; encodeMs: number }> {
  const limit = pLimit(PUT_CONCURRENCY);
  const puts: Promise<unknown>[] = [];
  const nextOffsets = new Map<number, number>();
  let count = 0;
  let rows = 0;
  let bytes = 0;
  let encodeMs = 0;
  for (const file of files) {
    const started = performance.now();
    const body = lakeParquet(file.emissions.map((e, i) => toRow(e, file.partition, file.startOffset + i)));
    encodeMs += performance.now() - started;
    const key = dataFileKey(topic, file.partition, file.startOffset, file.emissions[0]!.observedAtMs);
    puts.push(limit(() => store.put(key, body)));
    const end = file.startOffset + file.emissions.length;
    nextOffsets.set(file.partition, Math.max(end, nextOffsets.get(file.partition) ?? 0));
    count += 1;
    rows += file.emissions.length;
    bytes += body.byteLength;
  }
  await Promise.all(puts);
  for (const [partition, next] of nextOffsets) {
    await advanceWatermark(store, topic, partition, await readWatermark(store, topic, partition), next);
  }
  return { files: count, rows, bytes, encodeMs: Math.round(encodeMs) };
}

/** Removes everything under a prefix of the benchmark's own. */
export async function deletePrefix(store: ObjectStore, prefix: string): Promise<void> {
  const keys = await store.list(prefix);
  for (let i = 0; i < keys.length; i += 1000) await store.delete(keys.slice(i, i + 1000));
}
