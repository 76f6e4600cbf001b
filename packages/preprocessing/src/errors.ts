/** Typed errors. Each message names the problem and what to do about it. */

export type DatasetFormatErrorCode =
  | 'EMPTY'
  | 'WRONG_SEPARATOR'
  | 'MISSING_COLUMN'
  | 'TRUNCATED_ROW'
  | 'ROW_WIDTH'
  | 'BAD_DATE'
  | 'BAD_NUMBER'
  | 'ZIP_WITHOUT_CSV'
  | 'BAD_ZIP';

/** The input is not the UCI Air Quality csv (or its official zip) in the expected shape. */
export class DatasetFormatError extends Error {
  override readonly name = 'DatasetFormatError';
  constructor(
    readonly code: DatasetFormatErrorCode,
    message: string,
    /** 1-based line number in the csv, when the problem sits on one line. */
    readonly line?: number,
  ) {
    super(message);
  }
}

/** An option passed to a preprocessing function is invalid (names the option and the allowed values). */
export class PreprocessingOptionError extends Error {
  override readonly name = 'PreprocessingOptionError';
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/** A table does not have the shape a step needs (missing timestamp, unsorted rows, unknown column, …). */
export class TableShapeError extends Error {
  override readonly name = 'TableShapeError';
}

export type FeatureWindowErrorCode = 'OUT_OF_ORDER' | 'NOT_HOURLY' | 'BAD_STATE' | 'BAD_SPEC';

/** Feature spec or online window misuse: an invalid spec, a reading older than the window, a non-hourly time. */
export class FeatureWindowError extends Error {
  override readonly name = 'FeatureWindowError';
  constructor(
    readonly code: FeatureWindowErrorCode,
    message: string,
  ) {
    super(message);
  }
}
