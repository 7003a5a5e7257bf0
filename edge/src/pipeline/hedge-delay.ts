export interface HedgeDelayOptions {
  /** Which quantile of the recent latencies, e.g. 0.95. */
  quantile: number;
  /** The delay is the quantile times this. */
  factor: number;
  minMs: number;
  maxMs: number;
  /** How many recent samples the quantile is taken over. */
  window: number;
  /** Below this many samples the delay is maxMs: too little is known to hedge early. */
  minSamples?: number;
  /** The quantile is recomputed after this many new samples (a sort of `window` numbers), not on every read. */
  recomputeEvery?: number;
}

export interface HedgeDelay {
  /** A successful service read's time to its response head, in ms. */
  record(ms: number): void;
  /** How long to wait for the service's head before also asking legacy. */
  delayMs(): number;
  /** Samples in the window. */
  size(): number;
}

/**
 * The hedge delay of one service, from its own recent successful reads: the `quantile` of the last `window`
 * times-to-head, times `factor`, clamped to [minMs, maxMs] (maxMs until `minSamples` are known). Pure state, no
 * clock or I/O: the caller measures and records. Only successes are recorded, so a frozen service (no successes)
 * keeps the delay its healthy reads earned instead of talking the edge into waiting longer.
 */
export function createHedgeDelay(options: HedgeDelayOptions): HedgeDelay {
  const { quantile, factor, minMs, maxMs, window } = options;
  const minSamples = Math.min(options.minSamples ?? 20, window);
  const recomputeEvery = Math.max(1, options.recomputeEvery ?? Math.ceil(window / 16));
  const samples = new Float64Array(window);
  let count = 0;
  let next = 0;
  let sinceComputed = 0;
  let current = maxMs;

  function compute(): number {
    if (count < minSamples) return maxMs;
    const sorted = samples.slice(0, count).sort();
    // Nearest-rank quantile.
    const rank = Math.min(count - 1, Math.max(0, Math.ceil(quantile * count) - 1));
    const value = (sorted[rank] ?? maxMs) * factor;
    return Math.min(maxMs, Math.max(minMs, value));
  }

  return {
    record(ms) {
      if (!Number.isFinite(ms) || ms < 0) return;
      samples[next] = ms;
      next = (next + 1) % window;
      if (count < window) count++;
      sinceComputed++;
      if (count === minSamples || sinceComputed >= recomputeEvery) {
        current = compute();
        sinceComputed = 0;
      }
    },
    delayMs: () => current,
    size: () => count,
  };
}
