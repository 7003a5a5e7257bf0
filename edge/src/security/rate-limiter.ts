export interface RateLimiterOptions {
  /** Tokens added per second; 0 disables limiting. */
  ratePerSecond: number;
  /** Bucket size: the burst a quiet client may send at once. */
  burst: number;
  /** Buckets kept at most; the least recently created are dropped first (a dropped client starts with a full bucket). */
  maxClients?: number;
  now?: () => number;
}

export interface RateLimiter {
  /** Takes one token for `key`: 0 when allowed, else the seconds to wait before a token is available (≥ 1). */
  take(key: string): number;
  /** Drops buckets that have refilled completely (they hold no information). */
  sweep(): void;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/**
 * In-memory token bucket per client key. Limits are per edge instance: several replicas each allow the full rate,
 * so a global limit needs nginx in front or a shared store (see edge/README.md).
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const now = options.now ?? Date.now;
  const maxClients = options.maxClients ?? 100_000;
  const perMs = options.ratePerSecond / 1000;
  const buckets = new Map<string, Bucket>();
  const fullAfterMs = perMs > 0 ? options.burst / perMs : 0;

  return {
    get size() {
      return buckets.size;
    },
    take(key) {
      if (options.ratePerSecond <= 0) return 0;
      const t = now();
      let bucket = buckets.get(key);
      if (!bucket) {
        if (buckets.size >= maxClients) {
          const oldest = buckets.keys().next().value;
          if (oldest !== undefined) buckets.delete(oldest);
        }
        bucket = { tokens: options.burst, updatedAt: t };
        buckets.set(key, bucket);
      } else {
        bucket.tokens = Math.min(options.burst, bucket.tokens + (t - bucket.updatedAt) * perMs);
        bucket.updatedAt = t;
      }
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
    },
    sweep() {
      const t = now();
      for (const [key, bucket] of buckets) {
        if (t - bucket.updatedAt >= fullAfterMs) buckets.delete(key);
      }
    },
  };
}
