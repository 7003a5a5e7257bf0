import type { TokenVerifier } from '@strangler/platform';

/** `Authorization: Bearer <jwt>` as the backends accept it (platform's requireAuth uses the same shape). */
const BEARER = /^Bearer ([A-Za-z0-9._-]{1,4096})$/;

export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1];
}

export interface CachedTokenVerifier {
  /**
   * The user id (`sub`) of a valid token, undefined for an invalid or expired one. Synchronous on a cache hit, so the
   * hot path does not wait a tick for tokens it has seen.
   */
  userIdFor(token: string): string | undefined | Promise<string | undefined>;
  readonly size: number;
}

export interface TokenCacheOptions {
  verifier: TokenVerifier;
  maxEntries: number;
  /** Longest reuse of a verification result; a valid token is never trusted past its own `exp`. */
  ttlMs: number;
  /** Reuse of a negative result (short: a token is not "invalid" forever, e.g. when clocks were skewed). */
  invalidTtlMs?: number;
  now?: () => number;
}

interface Entry {
  userId: string | undefined;
  expiresAt: number;
}

/** `exp` of a token that has just been verified (so the payload is trusted); undefined when absent. */
function expiryOf(token: string): number | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies bearer tokens with platform's verifier and remembers the result per token string in a bounded LRU
 * (a Map in recency order), so a client's every request does not pay for an HMAC and a JSON parse. Concurrent
 * first requests with the same token share one verification.
 */
export function createCachedTokenVerifier(options: TokenCacheOptions): CachedTokenVerifier {
  const now = options.now ?? Date.now;
  const invalidTtlMs = options.invalidTtlMs ?? Math.min(options.ttlMs, 5000);
  const cache = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<string | undefined>>();

  const remember = (token: string, entry: Entry): void => {
    cache.delete(token);
    cache.set(token, entry);
    while (cache.size > options.maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest === undefined) break;
      cache.delete(oldest);
    }
  };

  return {
    get size() {
      return cache.size;
    },
    userIdFor(token) {
      const hit = cache.get(token);
      if (hit) {
        if (hit.expiresAt > now()) {
          // Refresh recency: delete + set moves it to the end of the Map's order.
          cache.delete(token);
          cache.set(token, hit);
          return hit.userId;
        }
        cache.delete(token);
      }
      const pending = inFlight.get(token);
      if (pending) return pending;
      const verification = options.verifier.verify(token).then(
        (userId) => {
          const cap = now() + options.ttlMs;
          const exp = expiryOf(token);
          remember(token, { userId: String(userId), expiresAt: exp === undefined ? cap : Math.min(cap, exp) });
          return String(userId);
        },
        () => {
          remember(token, { userId: undefined, expiresAt: now() + invalidTtlMs });
          return undefined;
        },
      );
      inFlight.set(token, verification);
      void verification.finally(() => inFlight.delete(token));
      return verification;
    },
  };
}
