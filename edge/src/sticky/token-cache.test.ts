import { describe, expect, it } from 'vitest';
import { createTokenVerifier, UnauthorizedError, type TokenVerifier } from '@strangler/platform';
import { issueToken, TEST_JWT_ISSUER, TEST_JWT_SECRET } from '../testing/test-edge.js';
import { bearerToken, createCachedTokenVerifier } from './token-cache.js';

/** A verifier that counts calls; tokens "u<id>" are valid, anything else is not. */
function countingVerifier() {
  const calls: string[] = [];
  const verifier: TokenVerifier = {
    async verify(token) {
      calls.push(token);
      const match = /^u(\d+)$/.exec(token);
      if (!match) throw new UnauthorizedError('Token is invalid', 'INVALID_TOKEN');
      return Number(match[1]);
    },
  };
  return { verifier, calls };
}

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.def.ghi', 'abc.def.ghi'],
    ['Bearer ', undefined],
    ['bearer abc', undefined],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer abc def', undefined],
    [`Bearer ${'a'.repeat(5000)}`, undefined],
    [undefined, undefined],
  ])('%j → %j', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });
});

describe('createCachedTokenVerifier', () => {
  it('verifies a token once and answers from the cache, synchronously, afterwards', async () => {
    const { verifier, calls } = countingVerifier();
    const cache = createCachedTokenVerifier({ verifier, maxEntries: 10, ttlMs: 60_000 });
    expect(await cache.userIdFor('u7')).toBe('7');
    expect(cache.userIdFor('u7')).toBe('7');
    expect(cache.userIdFor('u7')).toBe('7');
    expect(calls).toEqual(['u7']);
  });

  it('shares one verification between concurrent first requests', async () => {
    const { verifier, calls } = countingVerifier();
    const cache = createCachedTokenVerifier({ verifier, maxEntries: 10, ttlMs: 60_000 });
    const results = await Promise.all([cache.userIdFor('u1'), cache.userIdFor('u1'), cache.userIdFor('u1')]);
    expect(results).toEqual(['1', '1', '1']);
    expect(calls).toEqual(['u1']);
  });

  it('remembers invalid tokens briefly, then verifies again', async () => {
    let now = 0;
    const { verifier, calls } = countingVerifier();
    const cache = createCachedTokenVerifier({ verifier, maxEntries: 10, ttlMs: 60_000, invalidTtlMs: 1000, now: () => now });
    expect(await cache.userIdFor('bad')).toBeUndefined();
    expect(cache.userIdFor('bad')).toBeUndefined();
    expect(calls).toEqual(['bad']);
    now = 1001;
    expect(await cache.userIdFor('bad')).toBeUndefined();
    expect(calls).toEqual(['bad', 'bad']);
  });

  it('expires entries after the TTL', async () => {
    let now = 0;
    const { verifier, calls } = countingVerifier();
    const cache = createCachedTokenVerifier({ verifier, maxEntries: 10, ttlMs: 1000, now: () => now });
    await cache.userIdFor('u1');
    now = 999;
    expect(cache.userIdFor('u1')).toBe('1');
    now = 1000;
    expect(await cache.userIdFor('u1')).toBe('1');
    expect(calls).toEqual(['u1', 'u1']);
  });

  it('is bounded: the least recently used token is evicted first', async () => {
    const { verifier, calls } = countingVerifier();
    const cache = createCachedTokenVerifier({ verifier, maxEntries: 2, ttlMs: 60_000 });
    await cache.userIdFor('u1');
    await cache.userIdFor('u2');
    cache.userIdFor('u1'); // u1 is now the most recent
    await cache.userIdFor('u3'); // evicts u2
    expect(cache.size).toBe(2);
    expect(cache.userIdFor('u1')).toBe('1');
    expect(await cache.userIdFor('u2')).toBe('2');
    expect(calls).toEqual(['u1', 'u2', 'u3', 'u2']);
  });

  it('never trusts a real token past its exp, whatever the TTL', async () => {
    let now = Date.now();
    const verifier = createTokenVerifier({ secret: TEST_JWT_SECRET, issuer: TEST_JWT_ISSUER, now: () => new Date(now) });
    const cache = createCachedTokenVerifier({ verifier, maxEntries: 10, ttlMs: 3_600_000, now: () => now });
    const token = await issueToken(9, { expiresIn: '2s' });
    expect(await cache.userIdFor(token)).toBe('9');
    expect(cache.userIdFor(token)).toBe('9');
    now += 3000;
    expect(await cache.userIdFor(token)).toBeUndefined();
  });
});
