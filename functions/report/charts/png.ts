/**
 * PNG encoding of an RGBA bitmap, with the deflate on libuv's thread pool. resvg's own asPng() runs on the
 * JavaScript thread and compresses lightly (a decomposition chart: 467 KB); the "up" filter (each row as
 * its difference to the row above: a chart's flat areas and axis-parallel lines become runs of zeros) with
 * zlib's default level gives the same pixels in less than half the bytes.
 */
import { promisify } from 'node:util';
import { crc32, deflate } from 'node:zlib';

const deflateAsync = promisify(deflate);
const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const FILTER_NONE = 0;
const FILTER_UP = 2;

export interface Bitmap {
  width: number;
  height: number;
  /** Straight (not premultiplied) RGBA, row by row. */
  rgba: Uint8Array;
}

/** One chunk: length, type, data, CRC-32 of type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

const HIGH_BITS = 0x80808080;

/**
 * Row minus the row above, byte by byte modulo 256, four bytes per 32-bit operation (Hacker's Delight's
 * SIMD-within-a-register subtraction: the high bits are cleared so no borrow crosses a byte, then restored).
 */
function subtractRows(row: Uint32Array, above: Uint32Array, out: Uint32Array): void {
  for (let i = 0; i < out.length; i++) {
    const a = row[i]!;
    const b = above[i]!;
    out[i] = ((a | HIGH_BITS) - (b & ~HIGH_BITS)) ^ ((a ^ ~b) & HIGH_BITS);
  }
}

/** The scanlines, each prefixed by its filter type: the first as it is, every other one "up". */
function filterRows({ width, height, rgba }: Bitmap): Uint8Array {
  const stride = width * 4;
  // 32-bit access needs a 4-byte aligned start.
  const aligned = rgba.byteOffset % 4 === 0 ? rgba : rgba.slice();
  const pixels = new Uint32Array(aligned.buffer, aligned.byteOffset, width * height);
  const difference = new Uint32Array(width);
  const differenceBytes = new Uint8Array(difference.buffer);
  const rows = new Uint8Array((stride + 1) * height);
  rows[0] = FILTER_NONE;
  rows.set(aligned.subarray(0, stride), 1);
  for (let y = 1; y < height; y++) {
    subtractRows(pixels.subarray(y * width, (y + 1) * width), pixels.subarray((y - 1) * width, y * width), difference);
    rows[y * (stride + 1)] = FILTER_UP;
    rows.set(differenceBytes, y * (stride + 1) + 1);
  }
  return rows;
}

export async function encodePng(bitmap: Bitmap): Promise<Uint8Array> {
  if (bitmap.rgba.length !== bitmap.width * bitmap.height * 4)
    throw new RangeError(
      `A ${bitmap.width}×${bitmap.height} RGBA bitmap has ${bitmap.width * bitmap.height * 4} bytes, not ${bitmap.rgba.length}.`,
    );
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, bitmap.width);
  view.setUint32(4, bitmap.height);
  header[8] = 8; // bits per channel
  header[9] = 6; // colour type: RGBA
  const compressed = new Uint8Array(await deflateAsync(filterRows(bitmap)));
  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', compressed), chunk('IEND', new Uint8Array(0))];
  const png = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    png.set(part, offset);
    offset += part.length;
  }
  return png;
}
