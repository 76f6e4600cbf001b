/**
 * Parsing of the UCI Air Quality csv (and of the official zip that holds it) into an arquero
 * table: `timestamp` (epoch ms; the source times carry no zone and are read as UTC) plus the 13
 * measurement columns (numbers, or null where the source has the -200 sentinel).
 */
import { unzipSync } from 'fflate';
import { COLUMNS, MISSING_SENTINEL, SOURCE_DATE, SOURCE_TIME, TIMESTAMP, type ColumnId } from './catalogue';
import { DatasetFormatError } from './errors';
import { makeTable, type ColumnTable } from './table';

export interface ParseOptions {
  /** Decimal mark of the numbers. Default `,` (the UCI file). */
  decimal?: ',' | '.';
  /** Value that marks a missing reading; null disables the mapping. Default -200 (`-200` and `-200,0`). */
  missingSentinel?: number | null;
}

export interface ParseInfo {
  /** `csv` when given text or csv bytes, `zip` when given the official zip. */
  source: 'csv' | 'zip';
  /** Name of the csv entry read from the zip. */
  zipEntry?: string;
  /** Data rows parsed (rows of the result). */
  dataRows: number;
  /** Rows with no values at all (`;;;;…` or blank lines), skipped. The UCI csv has 114 at its end. */
  emptyRowsSkipped: number;
  /** Per column: cells holding the missing sentinel (now null). */
  sentinelCounts: Record<ColumnId, number>;
  /** Per column: blank cells inside data rows (also null; the UCI csv has none). */
  blankCounts: Record<ColumnId, number>;
}

export type ParseInput = string | Uint8Array | ArrayBuffer;

const SEPARATOR = ';';
const EXPECTED_HEADER = [SOURCE_DATE, SOURCE_TIME, ...COLUMNS.map((c) => c.source)].join(SEPARATOR);

/** Parse the UCI csv text, csv bytes, or the official zip's bytes into a table. See {@link parseAirQualityWithInfo}. */
export function parseAirQuality(input: ParseInput, options: ParseOptions = {}): ColumnTable {
  return parseAirQualityWithInfo(input, options).table;
}

/** Like {@link parseAirQuality}, also returning what was read and skipped. */
export function parseAirQualityWithInfo(
  input: ParseInput,
  options: ParseOptions = {},
): { table: ColumnTable; info: ParseInfo } {
  if (typeof input === 'string') return parseCsv(input, options, { source: 'csv' });
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (isZip(bytes)) {
    const { name, text } = extractCsvFromZip(bytes);
    return parseCsv(text, options, { source: 'zip', zipEntry: name });
  }
  return parseCsv(decodeText(bytes), options, { source: 'csv' });
}

/** True when the bytes start like a zip archive (local file header or empty-archive record). */
export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6))
  );
}

/** Decode csv bytes: UTF-8 when they start with a UTF-8 byte-order mark, otherwise Latin-1 (the UCI file is ASCII). */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return new TextDecoder('utf-8').decode(bytes.subarray(3));
  return new TextDecoder('latin1').decode(bytes);
}

/**
 * The csv inside the official zip (which holds AirQualityUCI.csv and AirQualityUCI.xlsx).
 * Prefers an entry named AirQualityUCI.csv, else the only csv entry.
 */
export function extractCsvFromZip(bytes: Uint8Array): { name: string; text: string } {
  const names: string[] = [];
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, {
      filter: (file) => {
        names.push(file.name);
        return isCsvEntry(file.name);
      },
    });
  } catch (error) {
    throw new DatasetFormatError(
      'BAD_ZIP',
      `The input looks like a zip archive but cannot be unzipped (${(error as Error).message}). Download the official zip again: https://archive.ics.uci.edu/static/public/360/air+quality.zip`,
    );
  }
  const csvNames = Object.keys(files);
  const preferred = csvNames.find((n) => baseName(n).toLowerCase() === 'airqualityuci.csv');
  const chosen = preferred ?? (csvNames.length === 1 ? csvNames[0] : undefined);
  if (!chosen) {
    const found = names.length ? names.join(', ') : '(no entries)';
    const why =
      csvNames.length > 1
        ? `several csv entries and none named AirQualityUCI.csv (${csvNames.join(', ')})`
        : 'no csv entry';
    throw new DatasetFormatError(
      'ZIP_WITHOUT_CSV',
      `The zip has ${why}; expected AirQualityUCI.csv as in the official UCI zip. Entries found: ${found}.`,
    );
  }
  return { name: chosen, text: decodeText(files[chosen]) };
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
const isCsvEntry = (name: string): boolean =>
  !name.startsWith('__MACOSX/') && !baseName(name).startsWith('._') && /\.csv$/i.test(name);

const EMPTY_ROW = /^[;\s]*$/;
const DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const TIME = /^(\d{1,2})[.:](\d{2})[.:](\d{2})$/;
const NUMBER_COMMA = /^[+-]?\d+(?:,\d+)?$/;
const NUMBER_DOT = /^[+-]?\d+(?:\.\d+)?$/;

function parseCsv(
  text: string,
  options: ParseOptions,
  base: Pick<ParseInfo, 'source' | 'zipEntry'>,
): { table: ColumnTable; info: ParseInfo } {
  const decimal = options.decimal ?? ',';
  const sentinel = options.missingSentinel === undefined ? MISSING_SENTINEL : options.missingSentinel;
  const numberPattern = decimal === ',' ? NUMBER_COMMA : NUMBER_DOT;

  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\n|\r/);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  if (headerIndex < 0)
    throw new DatasetFormatError(
      'EMPTY',
      'The file is empty: expected the UCI Air Quality csv (a header line and 9357 data rows).',
    );

  const header = lines[headerIndex].split(SEPARATOR).map((h) => h.trim());
  const headerLine = headerIndex + 1;
  if (header.length === 1) throw wrongSeparator(lines[headerIndex], headerLine);

  const indexOf = (name: string) => header.indexOf(name);
  const dateIdx = indexOf(SOURCE_DATE);
  const timeIdx = indexOf(SOURCE_TIME);
  const colIdx = COLUMNS.map((c) => indexOf(c.source));
  const missing = [
    ...(dateIdx < 0 ? [SOURCE_DATE] : []),
    ...(timeIdx < 0 ? [SOURCE_TIME] : []),
    ...COLUMNS.filter((_, k) => colIdx[k] < 0).map((c) => `${c.source} (id ${c.id})`),
  ];
  if (missing.length) {
    const known = new Set<string>([SOURCE_DATE, SOURCE_TIME, ...COLUMNS.map((c) => c.source)]);
    const unexpected = header.filter((h) => h !== '' && !known.has(h));
    throw new DatasetFormatError(
      'MISSING_COLUMN',
      `The header (line ${headerLine}) lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` +
        (unexpected.length
          ? `; it has unexpected column${unexpected.length > 1 ? 's' : ''} ${unexpected.join(', ')} (renamed?)`
          : '') +
        `. Expected the UCI header: ${EXPECTED_HEADER}`,
      headerLine,
    );
  }
  const needed = Math.max(dateIdx, timeIdx, ...colIdx) + 1;

  // Index of the last line that holds any value, to tell a truncated file from a short row in the middle.
  let lastDataLine = lines.length - 1;
  while (lastDataLine > headerIndex && EMPTY_ROW.test(lines[lastDataLine])) lastDataLine--;

  const ts: number[] = [];
  const cols: (number | null)[][] = COLUMNS.map(() => []);
  const sentinelCounts = zeroCounts();
  const blankCounts = zeroCounts();
  let emptyRowsSkipped = 0;

  for (let i = headerIndex + 1; i < lines.length; i++) {
    const line = lines[i];
    if (EMPTY_ROW.test(line)) {
      // A final line break leaves one '' after the split; it is not a row.
      if (!(i === lines.length - 1 && line === '')) emptyRowsSkipped++;
      continue;
    }
    const lineNo = i + 1;
    const fields = line.split(SEPARATOR);
    if (fields.length < needed) {
      if (fields.length === 1 && line.includes(',') && !line.includes(SEPARATOR)) throw wrongSeparator(line, lineNo);
      const where = i === lastDataLine ? `The last data row (line ${lineNo})` : `Line ${lineNo}`;
      const hint =
        i === lastDataLine
          ? 'The file looks truncated: download it again or re-copy it completely.'
          : 'The row is incomplete; repair or remove it.';
      throw new DatasetFormatError(
        'TRUNCATED_ROW',
        `${where} has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${header.length} as in the header (at least ${needed} to reach every named column). ${hint}`,
        lineNo,
      );
    }
    if (fields.length > header.length) {
      const extra = fields.slice(header.length).filter((f) => f.trim() !== '');
      if (extra.length)
        throw new DatasetFormatError(
          'ROW_WIDTH',
          `Line ${lineNo} has ${fields.length} fields but the header has ${header.length}; extra values: ${extra.join(', ')}. Check the separator (expected ';') and the decimal mark (expected '${decimal}').`,
          lineNo,
        );
    }
    ts.push(parseTimestamp(fields[dateIdx].trim(), fields[timeIdx].trim(), lineNo));
    for (let k = 0; k < COLUMNS.length; k++) {
      const cell = fields[colIdx[k]].trim();
      const id = COLUMNS[k].id;
      let value: number | null;
      if (cell === '') {
        blankCounts[id]++;
        value = null;
      } else {
        if (!numberPattern.test(cell)) {
          throw new DatasetFormatError(
            'BAD_NUMBER',
            `Line ${lineNo}, column ${COLUMNS[k].source}: "${cell}" is not a number with '${decimal}' as decimal mark (for example ${decimal === ',' ? '2,6' : '2.6'}; missing values are written -200).`,
            lineNo,
          );
        }
        value = Number(decimal === ',' ? cell.replace(',', '.') : cell);
        if (sentinel !== null && value === sentinel) {
          sentinelCounts[id]++;
          value = null;
        }
      }
      cols[k].push(value);
    }
  }
  if (ts.length === 0)
    throw new DatasetFormatError(
      'EMPTY',
      `The file has a header but no data rows (${emptyRowsSkipped} empty rows skipped); expected the 9357 hourly rows of the UCI csv.`,
    );

  const columns: Record<string, unknown[]> = { [TIMESTAMP]: ts };
  COLUMNS.forEach((c, k) => {
    columns[c.id] = cols[k];
  });
  return {
    table: makeTable(columns),
    info: { ...base, dataRows: ts.length, emptyRowsSkipped, sentinelCounts, blankCounts },
  };
}

function zeroCounts(): Record<ColumnId, number> {
  return Object.fromEntries(COLUMNS.map((c) => [c.id, 0])) as Record<ColumnId, number>;
}

function wrongSeparator(line: string, lineNo: number): DatasetFormatError {
  const candidates: [string, string][] = [
    [',', 'comma'],
    ['\t', 'tab'],
    ['|', 'pipe'],
  ];
  const counts = candidates
    .map(([ch, label]) => ({ label, ch, n: line.split(ch).length - 1 }))
    .sort((a, b) => b.n - a.n);
  const found =
    counts[0].n > 0
      ? `found ${counts[0].n} ${counts[0].label} character${counts[0].n > 1 ? 's' : ''} ('${counts[0].ch === '\t' ? '\\t' : counts[0].ch}') and no ';'`
      : "found no ';'";
  return new DatasetFormatError(
    'WRONG_SEPARATOR',
    `Wrong field separator on line ${lineNo}: expected ';' (the UCI csv separates fields with ';' and writes decimals with ','), ${found}. Use the original AirQualityUCI.csv, or re-export with ';' as separator and ',' as decimal mark.`,
    lineNo,
  );
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** `DD/MM/YYYY` + `HH.MM.SS` → epoch ms, reading the zone-less source time as UTC. */
export function parseTimestamp(date: string, time: string, lineNo?: number): number {
  const d = DATE.exec(date);
  const t = TIME.exec(time);
  const where = lineNo === undefined ? '' : `Line ${lineNo}: `;
  if (!d || !t) {
    throw new DatasetFormatError(
      'BAD_DATE',
      `${where}cannot read the date/time "${date} ${time}"; expected DD/MM/YYYY and HH.MM.SS (for example 10/03/2004 18.00.00).`,
      lineNo,
    );
  }
  const [day, month, year] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const [hour, minute, second] = [Number(t[1]), Number(t[2]), Number(t[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const dim = month === 2 && !leap ? 28 : DAYS_IN_MONTH[month - 1];
  if (month < 1 || month > 12 || day < 1 || day > dim || hour > 23 || minute > 59 || second > 59) {
    throw new DatasetFormatError(
      'BAD_DATE',
      `${where}"${date} ${time}" is not a valid date/time (day ${day}, month ${month}, ${hour}:${minute}:${second}); expected DD/MM/YYYY and HH.MM.SS.`,
      lineNo,
    );
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}
