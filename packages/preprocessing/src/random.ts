import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded source of randomness (pure-rand's xoroshiro128+): the same seed gives the same draws everywhere. */
export interface Random {
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [from, to], both included. */
  int(from: number, to: number): number;
}

export function seededRandom(seed: number): Random {
  const generator = xoroshiro128plus(seed);
  return {
    float: () => uniformFloat64(generator),
    int: (from, to) => uniformInt(generator, from, to),
  };
}

/** `count` distinct integers from [0, n) in the order drawn (partial Fisher–Yates shuffle). */
export function drawWithoutReplacement(n: number, count: number, random: Random): Uint32Array {
  const pool = new Uint32Array(n);
  for (let i = 0; i < n; i++) pool[i] = i;
  for (let i = 0; i < count; i++) {
    const j = random.int(i, n - 1);
    const picked = pool[j];
    pool[j] = pool[i];
    pool[i] = picked;
  }
  return pool.slice(0, count);
}
