import { describe, expect, it } from 'vitest';
import { createHedgeDelay, type HedgeDelayOptions } from './hedge-delay.js';

const base: HedgeDelayOptions = { quantile: 0.95, factor: 2, minMs: 10, maxMs: 1000, window: 100, minSamples: 20, recomputeEvery: 1 };

function delayAfter(samples: number[], options: Partial<HedgeDelayOptions> = {}): number {
  const delay = createHedgeDelay({ ...base, ...options });
  for (const sample of samples) delay.record(sample);
  return delay.delayMs();
}

const range = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));

describe('createHedgeDelay', () => {
  it.each([
    ['no samples: the ceiling', [], {}, 1000],
    ['too few samples: the ceiling', range(19, () => 5), {}, 1000],
    ['enough samples: p95 × factor', range(100, (i) => i + 1), {}, 190],
    ['fast service: the floor', range(50, () => 1), {}, 10],
    ['slow service: the ceiling', range(50, () => 900), {}, 1000],
    ['p50 × 3', range(100, (i) => i + 1), { quantile: 0.5, factor: 3 }, 150],
    ['p99 × 1', range(100, (i) => i + 1), { quantile: 0.99, factor: 1 }, 99],
    ['one slow outlier in 100 does not move p95', [...range(99, () => 20), 5000], {}, 40],
    ['the window forgets old samples', [...range(100, () => 400), ...range(100, () => 20)], {}, 40],
    ['invalid samples are ignored', [...range(30, () => 20), -1, Number.NaN, Number.POSITIVE_INFINITY], {}, 40],
  ])('%s', (_name, samples, options, expected) => {
    expect(delayAfter(samples, options)).toBe(expected);
  });

  it('recomputes only every recomputeEvery samples (and once when it first has enough)', () => {
    const delay = createHedgeDelay({ ...base, recomputeEvery: 10 });
    for (let i = 0; i < 20; i++) delay.record(20);
    expect(delay.delayMs()).toBe(40);
    for (let i = 0; i < 9; i++) delay.record(400);
    expect(delay.delayMs()).toBe(40);
    delay.record(400);
    expect(delay.delayMs()).toBe(800);
    expect(delay.size()).toBe(30);
  });
});
