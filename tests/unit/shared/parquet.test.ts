import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tableFromIPC } from '@uwdata/flechette';
import { table } from 'arquero';
import { readParquet } from 'parquet-wasm';
import { LAKE_COLUMNS, LAKE_TYPES, lakeParquet } from '../../../shared/lake';
import { columnsToParquet, toParquet } from '../../../shared/parquet';
import { toLakeRow } from '../../../functions/sink/plan';
import { reading } from '../../support/kafka-records';

const arrow = (bytes: Uint8Array) => tableFromIPC(readParquet(bytes).intoIPCStream());
const fields = (bytes: Uint8Array) =>
  arrow(bytes).schema.fields.map(({ name, nullable, type }) => ({ name, nullable, type: JSON.stringify(type) }));

describe('columnsToParquet', () => {
  it('writes the file toParquet writes for an arquero table of the same columns: schema and rows', () => {
    const rows = [0, 1, 2].map((i) =>
      toLakeRow(reading(`s${i}`, i, Date.UTC(2026, 0, 1, i), i === 1 ? { readings: { co_gt: null, t: -3 } } : {}), {
        partition: 2,
        offset: 10 + i,
      }),
    );
    const direct = lakeParquet(rows);
    const columns = Object.fromEntries(
      LAKE_COLUMNS.map((name) => [name, Array.from(arrow(direct).getChild(name)!.toArray() as ArrayLike<unknown>)]),
    );
    const viaArquero = toParquet(table(columns, LAKE_COLUMNS), LAKE_TYPES);
    assert.deepEqual(fields(direct), fields(viaArquero));
    assert.deepEqual(arrow(direct).toArray(), arrow(viaArquero).toArray());
    assert.deepEqual(arrow(columnsToParquet(columns, LAKE_TYPES)).toArray(), arrow(viaArquero).toArray());
  });
});
