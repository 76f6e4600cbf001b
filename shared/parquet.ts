import { fromArrow, toArrowIPC, type ColumnTable } from 'arquero';
import type * as ParquetWasm from 'parquet-wasm';

/** parquet-wasm compiles its WebAssembly as it loads: loaded on the first Parquet read or write, not at every init. */
const parquetWasm = (): typeof ParquetWasm => require('parquet-wasm');

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
  const { Compression, Table: WasmTable, writeParquet, WriterPropertiesBuilder } = parquetWasm();
  const ipc = toArrowIPC(table, { format: 'stream', types });
  let builder = new WriterPropertiesBuilder().setCompression(Compression.ZSTD);
  if (rowGroupRows !== undefined) builder = builder.setMaxRowGroupSize(rowGroupRows);
  return writeParquet(WasmTable.fromIPCStream(ipc), builder.build());
}

/** Parquet bytes → arquero table (timestamps as Date). */
export function fromParquet(bytes: Uint8Array): ColumnTable {
  return fromArrow(parquetWasm().readParquet(bytes).intoIPCStream());
}
