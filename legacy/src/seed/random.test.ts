import { describe, expect, it } from 'vitest';
import { createRng } from './random.js';

const draw = (seed: number, label: string, n: number) => {
  const rng = createRng(seed, label);
  return Array.from({ length: n }, () => rng.int(0, 1_000_000));
};

describe('createRng', () => {
  it('is pinned: the algorithm must not change silently, or every seeded data set changes with it', () => {
    expect(draw(42, '', 5)).toEqual([844716, 769148, 215055, 4729, 402466]);
  });

  it('repeats for the same seed and label, and differs for another seed or label', () => {
    expect(draw(7, 'users', 50)).toEqual(draw(7, 'users', 50));
    expect(draw(8, 'users', 50)).not.toEqual(draw(7, 'users', 50));
    expect(draw(7, 'orders', 50)).not.toEqual(draw(7, 'users', 50));
  });

  it('int covers both ends of its range and nothing outside it', () => {
    const rng = createRng(1);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) seen.add(rng.int(3, 7));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
    expect(rng.int(5, 5)).toBe(5);
    expect(() => rng.int(2, 1)).toThrow(RangeError);
    expect(() => rng.int(0.5, 2)).toThrow(RangeError);
  });

  it('next stays in [0, 1)', () => {
    const rng = createRng(99);
    for (let i = 0; i < 10_000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });

  it('weighted follows the weights and never picks a zero weight', () => {
    const rng = createRng(3);
    const counts = { a: 0, b: 0, never: 0 };
    for (let i = 0; i < 20_000; i++) counts[rng.weighted([['a', 3], ['never', 0], ['b', 1]] as const)]++;
    expect(counts.never).toBe(0);
    expect(counts.a / 20_000).toBeGreaterThan(0.72);
    expect(counts.a / 20_000).toBeLessThan(0.78);
    expect(() => rng.weighted([['x', 0]])).toThrow(RangeError);
  });

  it('pick returns members and refuses an empty list', () => {
    const rng = createRng(5);
    const items = ['x', 'y', 'z'];
    for (let i = 0; i < 100; i++) expect(items).toContain(rng.pick(items));
    expect(() => rng.pick([])).toThrow(RangeError);
  });
});
