import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Resvg } from '@resvg/resvg-js';
import { encodePng } from '../../../functions/report/charts/png';

/** An opaque test card: gradients, a flat block and single-pixel detail, so every filter path is used. */
function testCard(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      const flat = x > width / 2 && y > height / 2;
      rgba.set([flat ? 255 : (x * 37) % 256, flat ? 255 : (y * 91) % 256, (x * y) % 256, 255], i);
    }
  return rgba;
}

/** The pixels of a PNG as an independent decoder (resvg's, the Rust png crate) reads them, at 1:1. */
function decode(png: Uint8Array, width: number, height: number): Uint8Array {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><image href="data:image/png;base64,${Buffer.from(png).toString('base64')}" width="${width}" height="${height}" style="image-rendering:pixelated"/></svg>`;
  return new Uint8Array(new Resvg(svg, { font: { loadSystemFonts: false } }).render().pixels);
}

describe('encodePng', () => {
  it('writes a PNG that an independent decoder reads back to the same pixels', async () => {
    const [width, height] = [37, 23];
    const rgba = testCard(width, height);
    const png = await encodePng({ width, height, rgba });
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset);
    assert.deepEqual([view.getUint32(16), view.getUint32(20)], [width, height]);
    assert.deepEqual(decode(png, width, height), rgba);
  });

  it('refuses a bitmap whose byte count does not match its size', async () => {
    await assert.rejects(
      encodePng({ width: 4, height: 4, rgba: new Uint8Array(60) }),
      /4×4 RGBA bitmap has 64 bytes, not 60/,
    );
  });
});
