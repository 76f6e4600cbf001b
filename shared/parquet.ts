import { tableFromArrays, tableToIPC } from '@uwdata/flechette';
import { fromArrow, toArrowIPC, type ColumnTable } from 'arquero';
import { Compression, readParquet, Table as WasmTable, writeParquet, WriterPropertiesBuilder } from 'parquet-wasm';

/** Arrow types by column name (flechette type builders), to fix types instead of inferring them. */
export type ArrowTypes = NonNullable<NonNullable<Parameters<typeof toArrowIPC>[1]>['types']>;

/** Arrow IPC stream → Parquet bytes (ZSTD) with parquet-wasm (the Rust arrow-rs writer). */
function ipcToParquet(ipc: Uint8Array): Uint8Array {
  const properties = new WriterPropertiesBuilder().setCompression(Compression.ZSTD).build();
  return writeParquet(WasmTable.fromIPCStream(ipc), properties);
}

/** arquero table → Parquet bytes (ZSTD), through Arrow IPC into parquet-wasm. */
export function toParquet(table: ColumnTable, types: ArrowTypes = {}): Uint8Array {
  return ipcToParquet(toArrowIPC(table, { format: 'stream', types }));
}

/**
 * Columns of values (in file order) → Parquet bytes (ZSTD), the same file as `toParquet` of an arquero table of
 * them, built straight with flechette: a third less time per file for the sink, which writes one per batch.
 */
export function columnsToParquet(columns: Record<string, unknown[]>, types: ArrowTypes): Uint8Array {
  return ipcToParquet(tableToIPC(tableFromArrays(columns, { types }), { format: 'stream' })!);
}

/** Parquet bytes → arquero table (timestamps as Date). */
export function fromParquet(bytes: Uint8Array): ColumnTable {
  return fromArrow(readParquet(bytes).intoIPCStream());
}
