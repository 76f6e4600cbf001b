import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { strToU8, zipSync } from 'fflate';
import { readDatasetText } from '../support/dataset';
import {
  COLUMN_IDS,
  COLUMNS,
  DatasetFormatError,
  columnBySource,
  columnInfo,
  countAllMissingRows,
  defaultClipRanges,
  numbers,
  parseAirQuality,
  parseAirQualityWithInfo,
  timestamps,
} from '../../src/index';

const HEADER =
  'Date;Time;CO(GT);PT08.S1(CO);NMHC(GT);C6H6(GT);PT08.S2(NMHC);NOx(GT);PT08.S3(NOx);NO2(GT);PT08.S4(NO2);PT08.S5(O3);T;RH;AH;;';
const ROWS = [
  '10/03/2004;18.00.00;2,6;1360;150;11,9;1046;166;1056;113;1692;1268;13,6;48,9;0,7578;;',
  '10/03/2004;19.00.00;-200,0;1292;-200;9,4;955;103;1174;92;1559;972;-1,9;47,7;0,7255;;',
  '10/03/2004;20.00.00;-200;-200;-200;-200;-200;-200;-200;-200;-200;-200;-200;-200;-200;;',
];
const EMPTY = ';;;;;;;;;;;;;;;;';
const csv = (lines: string[], eol = '\r\n') => lines.join(eol) + eol;

/** Assert that `fn` throws a DatasetFormatError with `code` whose message matches every pattern. */
function throwsFormat(fn: () => unknown, code: DatasetFormatError['code'], ...patterns: RegExp[]): DatasetFormatError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DatasetFormatError, `expected a DatasetFormatError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const p of patterns) assert.match(caught.message, p);
  return caught;
}

describe('column catalogue', () => {
  it('lists the 13 measurement columns with stable ids, source names, units and clip ranges', () => {
    assert.deepEqual(COLUMN_IDS, [
      'co_gt',
      'pt08_s1_co',
      'nmhc_gt',
      'c6h6_gt',
      'pt08_s2_nmhc',
      'nox_gt',
      'pt08_s3_nox',
      'no2_gt',
      'pt08_s4_no2',
      'pt08_s5_o3',
      't',
      'rh',
      'ah',
    ]);
    assert.equal(columnBySource('PT08.S1(CO)')?.id, 'pt08_s1_co');
    assert.equal(columnInfo('co_gt').unit, 'mg/m³');
    assert.equal(columnInfo('nox_gt').unit, 'ppb');
    assert.equal(columnInfo('ah').unit, 'not stated by the source');
    assert.ok(COLUMNS.every((c) => c.description.length > 10));
    assert.deepEqual(defaultClipRanges(), {
      co_gt: { min: 0.5, max: 5 },
      c6h6_gt: { min: 0.5, max: 10 },
      nox_gt: { min: 5, max: 100 },
      no2_gt: { min: 0, max: 200 },
    });
    assert.throws(() => columnInfo('co'), /Unknown column id "co".*co_gt/);
  });
});

describe('parsing the real UCI csv', () => {
  const text = readDatasetText();
  const { table, info } = parseAirQualityWithInfo(text);

  it('reads 9357 hourly rows from 2004-03-10T18:00Z to 2005-04-04T14:00Z, skipping the 114 empty rows', () => {
    assert.equal(table.numRows(), 9357);
    assert.equal(info.emptyRowsSkipped, 114);
    const ts = timestamps(table);
    assert.equal(new Date(ts[0]).toISOString(), '2004-03-10T18:00:00.000Z');
    assert.equal(new Date(ts[ts.length - 1]).toISOString(), '2005-04-04T14:00:00.000Z');
    for (let i = 1; i < ts.length; i++) assert.equal(ts[i] - ts[i - 1], 3_600_000);
    assert.deepEqual(table.columnNames(), ['timestamp', ...COLUMN_IDS]);
  });

  it('maps -200 to null with the per-column counts of the dataset README', () => {
    const expected: Record<string, number> = {
      co_gt: 1683,
      pt08_s1_co: 366,
      nmhc_gt: 8443,
      c6h6_gt: 366,
      pt08_s2_nmhc: 366,
      nox_gt: 1639,
      pt08_s3_nox: 366,
      no2_gt: 1642,
      pt08_s4_no2: 366,
      pt08_s5_o3: 366,
      t: 366,
      rh: 366,
      ah: 366,
    };
    for (const id of COLUMN_IDS) assert.equal(numbers(table, id).filter((v) => v === null).length, expected[id], id);
    assert.deepEqual(info.sentinelCounts, expected);
    assert.ok(Object.values(info.blankCounts).every((n) => n === 0));
    assert.equal(countAllMissingRows(table), 31);
  });

  it('keeps genuine negative temperatures (minimum -1.9 °C) and reads decimal commas', () => {
    const t = numbers(table, 't').filter((v): v is number => v !== null);
    assert.equal(Math.min(...t), -1.9);
    assert.deepEqual(table.object(0), {
      timestamp: Date.UTC(2004, 2, 10, 18),
      co_gt: 2.6,
      pt08_s1_co: 1360,
      nmhc_gt: 150,
      c6h6_gt: 11.9,
      pt08_s2_nmhc: 1046,
      nox_gt: 166,
      pt08_s3_nox: 1056,
      no2_gt: 113,
      pt08_s4_no2: 1692,
      pt08_s5_o3: 1268,
      t: 13.6,
      rh: 48.9,
      ah: 0.7578,
    });
  });

  it('reads the same table from the csv bytes and from a zip laid out like the official one', () => {
    const bytes = strToU8(text, true);
    const zip = zipSync({ 'AirQualityUCI.xlsx': new Uint8Array([0x50, 0x4b, 1, 2]), 'AirQualityUCI.csv': bytes });
    const fromZip = parseAirQualityWithInfo(zip);
    assert.equal(fromZip.info.source, 'zip');
    assert.equal(fromZip.info.zipEntry, 'AirQualityUCI.csv');
    assert.deepEqual(fromZip.table.objects(), table.objects());
    assert.deepEqual(parseAirQuality(bytes).objects(), table.objects());
    assert.deepEqual(
      parseAirQuality(
        bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
      ).numRows(),
      9357,
    );
  });
});

describe('parsing small hand-written files', () => {
  it('reads -200 and -200,0 as missing, decimal commas, CRLF, and skips trailing empty rows', () => {
    const { table, info } = parseAirQualityWithInfo(csv([HEADER, ...ROWS, EMPTY, EMPTY, EMPTY]));
    assert.equal(table.numRows(), 3);
    assert.equal(info.emptyRowsSkipped, 3);
    const row1 = table.object(1) as Record<string, number | null>;
    assert.equal(row1.co_gt, null); // -200,0
    assert.equal(row1.nmhc_gt, null); // -200
    assert.equal(row1.t, -1.9);
    assert.equal(row1.c6h6_gt, 9.4);
    assert.ok(COLUMN_IDS.every((id) => (table.object(2) as Record<string, unknown>)[id] === null));
    assert.equal(info.sentinelCounts.co_gt, 2);
    assert.equal(countAllMissingRows(table), 1);
  });

  it('accepts LF line ends, a UTF-8 byte-order mark and no final line break', () => {
    const a = parseAirQuality(csv([HEADER, ...ROWS], '\n'));
    const b = parseAirQuality(`\uFEFF${[HEADER, ...ROWS].join('\r\n')}`);
    const c = parseAirQuality(new Uint8Array([0xef, 0xbb, 0xbf, ...strToU8(csv([HEADER, ...ROWS]))]));
    assert.deepEqual(a.objects(), b.objects());
    assert.deepEqual(a.objects(), c.objects());
  });

  it('maps header columns by name, whatever their order', () => {
    const cells = (line: string) => line.split(';');
    const perm = (line: string) => {
      const f = cells(line);
      return [f[1], f[0], ...f.slice(2, 15).reverse(), '', ''].join(';');
    };
    const shuffled = parseAirQuality(csv([perm(HEADER), ...ROWS.map(perm)]));
    assert.deepEqual(shuffled.objects(), parseAirQuality(csv([HEADER, ...ROWS])).objects());
    assert.deepEqual(shuffled.columnNames(), ['timestamp', ...COLUMN_IDS]);
  });

  it('rejects a comma-separated file, saying what was found and what is expected', () => {
    const comma = csv([HEADER.replace(/;/g, ','), ROWS[0].replace(/,/g, '.').replace(/;/g, ',')]);
    throwsFormat(() => parseAirQuality(comma), 'WRONG_SEPARATOR', /expected ';'/, /found 16 comma characters \(','\)/);
    throwsFormat(() => parseAirQuality(csv([HEADER.replace(/;/g, '\t')])), 'WRONG_SEPARATOR', /tab/);
  });

  it('rejects a truncated file (last row with too few fields)', () => {
    const cut = `${csv([HEADER, ROWS[0], ROWS[1]])}10/03/2004;20.00.00;2,2;14`;
    const error = throwsFormat(
      () => parseAirQuality(cut),
      'TRUNCATED_ROW',
      /last data row \(line 4\) has 4 fields, expected 17/,
      /truncated/,
    );
    assert.equal(error.line, 4);
    throwsFormat(
      () => parseAirQuality(csv([HEADER, ROWS[0].slice(0, 30), ROWS[1]])),
      'TRUNCATED_ROW',
      /^Line 2 has 5 fields/,
    );
  });

  it('rejects a missing or renamed header column, naming it', () => {
    throwsFormat(
      () => parseAirQuality(csv([HEADER.replace('NOx(GT)', 'NOX'), ROWS[0]])),
      'MISSING_COLUMN',
      /lacks column NOx\(GT\) \(id nox_gt\)/,
      /unexpected column NOX \(renamed\?\)/,
      /Expected the UCI header: Date;Time;CO\(GT\)/,
    );
    throwsFormat(
      () => parseAirQuality(csv([HEADER.replace('Date;', ''), ROWS[0]])),
      'MISSING_COLUMN',
      /lacks column Date/,
    );
  });

  it('rejects an unparsable or impossible date', () => {
    throwsFormat(
      () => parseAirQuality(csv([HEADER, ROWS[0].replace('10/03/2004', '2004-03-10')])),
      'BAD_DATE',
      /Line 2/,
      /DD\/MM\/YYYY and HH\.MM\.SS/,
    );
    throwsFormat(
      () => parseAirQuality(csv([HEADER, ROWS[0].replace('10/03/2004', '30/02/2004')])),
      'BAD_DATE',
      /not a valid date/,
    );
    throwsFormat(() => parseAirQuality(csv([HEADER, ROWS[0].replace('18.00.00', '24.00.00')])), 'BAD_DATE');
  });

  it('rejects a non-number cell and a dot decimal mark', () => {
    throwsFormat(
      () => parseAirQuality(csv([HEADER, ROWS[0].replace('1360', 'n/a')])),
      'BAD_NUMBER',
      /Line 2, column PT08\.S1\(CO\): "n\/a"/,
    );
    throwsFormat(
      () => parseAirQuality(csv([HEADER, ROWS[0].replace('2,6', '2.6')])),
      'BAD_NUMBER',
      /',' as decimal mark/,
    );
    assert.equal(
      parseAirQuality(csv([HEADER, ROWS[0].replace(/(\d),(\d)/g, '$1.$2')]), { decimal: '.' }).object(0) ? 1 : 0,
      1,
    );
  });

  it('rejects an empty file and a header without data', () => {
    throwsFormat(() => parseAirQuality(''), 'EMPTY', /empty/);
    throwsFormat(() => parseAirQuality('\r\n \r\n'), 'EMPTY');
    throwsFormat(() => parseAirQuality(new Uint8Array()), 'EMPTY');
    throwsFormat(() => parseAirQuality(csv([HEADER, EMPTY, EMPTY])), 'EMPTY', /no data rows \(2 empty rows skipped\)/);
  });

  it('rejects extra non-empty fields', () => {
    throwsFormat(() => parseAirQuality(csv([HEADER, `${ROWS[0]};7`])), 'ROW_WIDTH', /extra values: 7/);
  });

  it('reads the csv out of a zip and rejects a zip without it', () => {
    const text = csv([HEADER, ...ROWS, EMPTY]);
    const zip = zipSync({ 'data/AirQualityUCI.csv': strToU8(text), 'AirQualityUCI.xlsx': new Uint8Array(8) });
    assert.deepEqual(parseAirQuality(zip).objects(), parseAirQuality(text).objects());
    throwsFormat(
      () => parseAirQuality(zipSync({ 'AirQualityUCI.xlsx': new Uint8Array(8), 'README.txt': strToU8('hi') })),
      'ZIP_WITHOUT_CSV',
      /no csv entry/,
      /AirQualityUCI\.xlsx, README\.txt/,
    );
    throwsFormat(() => parseAirQuality(zipSync({})), 'ZIP_WITHOUT_CSV', /no entries/);
    throwsFormat(() => parseAirQuality(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0])), 'BAD_ZIP', /cannot be unzipped/);
  });
});
