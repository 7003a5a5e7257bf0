import { describe, expect, it } from 'vitest';
import { clientAddress } from './client-ip.js';
import { createRateLimiter } from './rate-limiter.js';

describe('createRateLimiter (token bucket per client)', () => {
  it('allows a burst, then one request per refill interval, and says how long to wait', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerSecond: 2, burst: 3, now: () => now });
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    now = 499;
    expect(limiter.take('a')).toBe(1);
    now = 500;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
  });

  it('keeps clients apart', () => {
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 1, now: () => 0 });
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0);
  });

  it('never refills beyond the burst', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerSecond: 10, burst: 2, now: () => now });
    limiter.take('a');
    now = 60_000;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 1]);
  });

  it('reports waits longer than a second for slow rates', () => {
    const limiter = createRateLimiter({ ratePerSecond: 0.1 as number, burst: 1, now: () => 0 });
    limiter.take('a');
    expect(limiter.take('a')).toBe(10);
  });

  it('is off at rate 0', () => {
    const limiter = createRateLimiter({ ratePerSecond: 0, burst: 1, now: () => 0 });
    for (let i = 0; i < 100; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.size).toBe(0);
  });

  it('stays bounded: sweeps full buckets and evicts the oldest beyond maxClients', () => {
    let now = 0;
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 2, maxClients: 3, now: () => now });
    for (const key of ['a', 'b', 'c', 'd']) limiter.take(key);
    expect(limiter.size).toBe(3);
    now = 1000;
    limiter.take('d');
    now = 2000;
    limiter.sweep();
    // b and c refilled completely by now; d was used a second ago.
    expect(limiter.size).toBe(1);
  });
});

describe('clientAddress', () => {
  it('is the socket peer when no proxy is trusted, whatever x-forwarded-for says', () => {
    expect(clientAddress('192.0.2.1', '6.6.6.6', 0)).toBe('192.0.2.1');
  });

  it('is the entry the trusted proxies appended: N from the right', () => {
    expect(clientAddress('10.0.0.2', '6.6.6.6, 203.0.113.5', 1)).toBe('203.0.113.5');
    expect(clientAddress('10.0.0.3', '6.6.6.6, 203.0.113.5, 10.0.0.2', 2)).toBe('203.0.113.5');
    expect(clientAddress('10.0.0.2', ['6.6.6.6', '203.0.113.5'], 1)).toBe('203.0.113.5');
  });

  it('falls back sensibly on short or missing lists', () => {
    expect(clientAddress('10.0.0.2', '203.0.113.5', 3)).toBe('203.0.113.5');
    expect(clientAddress('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', ' , ', 1)).toBe('10.0.0.2');
    expect(clientAddress(undefined, undefined, 0)).toBe('unknown');
  });
});
