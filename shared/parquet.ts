import { fromArrow, toArrowIPC, type ColumnTable } from 'arquero';
import { Compression, readParquet, Table as WasmTable, writeParquet, WriterPropertiesBuilder } from 'parquet-wasm';

/** Arrow types by column name (flechette type builders), to fix types instead of inferring them. */
export type ArrowTypes = NonNullable<NonNullable<Parameters<typeof toArrowIPC>[1]>['types']>;

/**
 * arquero table → Parquet bytes (ZSTD), through Arrow IPC into parquet-wasm (the Rust arrow-rs writer);
 * `rowGroupRows` caps the rows of a row group (the writer's default otherwise).
 */
export function toParquet(
  table: ColumnTable,
  types: ArrowTypes = {},
  { rowGroupRows }: { rowGroupRows?: number } = {},
): Uint8Array {
  const ipc = toArrowIPC(table, { format: 'stream', types });
  let builder = new WriterPropertiesBuilder().setCompression(Compression.ZSTD);
  if (rowGroupRows !== undefined) builder = builder.setMaxRowGroupSize(rowGroupRows);
  return writeParquet(WasmTable.fromIPCStream(ipc), builder.build());
}

/** Parquet bytes → arquero table (timestamps as Date). */
export function fromParquet(bytes: Uint8Array): ColumnTable {
  return fromArrow(readParquet(bytes).intoIPCStream());
}
