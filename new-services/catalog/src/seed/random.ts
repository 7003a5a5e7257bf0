/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) so demo data is reproducible: same seed, same numbers,
 * on every machine and Node version. The seed code never touches Math.random.
 */
export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Picks a value with probability proportional to its weight. */
  weighted<T>(choices: readonly Weighted<T>[]): T;
}

export type Weighted<T> = readonly [value: T, weight: number];

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a, to turn a stream label into 32 bits. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h = Math.imul(h ^ label.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

/**
 * An independent stream per (seed, label): each table draws from its own stream, so e.g. the users stay the same
 * when only the number of orders changes.
 */
export function createRng(seed: number, label = ''): Rng {
  const init = splitmix32((seed >>> 0) ^ hashLabel(label));
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // sfc32 needs a few rounds before its output is well mixed.
  for (let i = 0; i < 12; i++) nextUint32();

  const next = (): number => nextUint32() / 4294967296;
  const int = (min: number, max: number): number => {
    if (!Number.isInteger(min) || !Number.isInteger(max) || max < min) {
      throw new RangeError(`int(${min}, ${max}): expected integers with min <= max`);
    }
    return min + Math.floor(next() * (max - min + 1));
  };
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(0, items.length - 1)] as T;
    },
    weighted<T>(choices: readonly Weighted<T>[]): T {
      let total = 0;
      for (const [, weight] of choices) total += weight;
      if (!(total > 0)) throw new RangeError('weighted pick needs a positive total weight');
      let roll = next() * total;
      for (const [value, weight] of choices) {
        if (roll < weight) return value;
        roll -= weight;
      }
      // Floating-point leftovers land on the last choice.
      return (choices[choices.length - 1] as Weighted<T>)[0];
    },
  };
}
