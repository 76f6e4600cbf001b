import { drawWithoutReplacement, type Random } from '@air-quality/preprocessing';

/** `count` distinct integers from [0, n), in increasing order. */
export function sampleWithoutReplacement(n: number, count: number, random: Random): Uint32Array {
  return drawWithoutReplacement(n, count, random).sort();
}
