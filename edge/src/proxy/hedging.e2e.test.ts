import { afterEach, describe, expect, it } from 'vitest';
import type { Env } from '@strangler/platform';
import { createFakeFlagEvaluator } from '../flags/fake-flag-evaluator.js';
import type { FakeUpstream } from '../testing/fake-upstream.js';
import { metricValue, send, startEdgeOnFakeUpstreams, type Reply, type TestEdge } from '../testing/test-edge.js';

/**
 * Long on purpose: each timing assertion is "well before the timeout" (< SERVICE_TIMEOUT_MS / 2), which a broken
 * hedge (a read that waits the timeout out) fails by seconds and a loaded machine cannot reach.
 */
const SERVICE_TIMEOUT_MS = 10_000;
/** The hedge ceiling: what a cold edge hedges after (the estimator has too few reads). */
const HEDGE_MAX_MS = 200;

/**
 * Hedged reads: a service that does not send its response head within the hedge delay does not cost the read its
 * full SERVICE_TIMEOUT_MS: legacy is asked too, the first valid answer wins, the loser is abandoned.
 */
describe('hedging slow service reads to legacy', () => {
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let catalog: FakeUpstream;
  let t: TestEdge;

  async function start(env: Env = {}): Promise<void> {
    ({ edge: t, legacy, users, catalog } = await startEdgeOnFakeUpstreams({
      flags: createFakeFlagEvaluator({ 'users.reads': true }),
      env: {
        HEDGE_ENABLED: 'true',
        HEDGE_MIN_MS: '50',
        HEDGE_MAX_MS: String(HEDGE_MAX_MS),
        SERVICE_TIMEOUT_MS: String(SERVICE_TIMEOUT_MS),
        // Hedging on its own first: the breaker's part has a test of its own.
        BREAKER_FAILURES: '1000',
        ...env,
      },
    }));
  }

  afterEach(async () => {
    await t.close();
    await Promise.all([legacy.close(), users.close(), catalog.close()]);
  });

  const scrape = async () => (await send(t.adminUrl, '/metrics')).text;

  async function timed(path: string): Promise<{ reply: Reply; ms: number }> {
    const started = performance.now();
    const reply = await send(t.url, path);
    return { reply, ms: performance.now() - started };
  }

  it('serves every read of a frozen service from legacy in about the hedge delay, not the service timeout', async () => {
    await start();
    users.behave({ kind: 'hang' });
    const reads = await Promise.all(Array.from({ length: 16 }, (_, i) => timed(`/api/users/${i + 1}`)));

    expect(reads.map(({ reply }) => reply.status)).toEqual(Array(16).fill(200));
    expect(reads.map(({ reply }) => reply.headers['x-strangler-backend'])).toEqual(Array(16).fill('legacy'));
    expect(reads.map(({ reply }) => reply.json<{ backend: string }>().backend)).toEqual(Array(16).fill('legacy'));
    for (const { ms } of reads) expect(ms).toBeLessThan(SERVICE_TIMEOUT_MS / 2);
    // The service was asked (and abandoned), legacy answered each read once.
    expect(users.received).toHaveLength(16);
    expect(legacy.received.map((r) => r.url).sort()).toEqual(reads.map((_, i) => `/api/users/${i + 1}`).sort());

    const text = await scrape();
    expect(metricValue(text, 'edge_hedges_total', { slice: 'users' })).toBe(16);
    expect(metricValue(text, 'edge_hedge_wins_total', { slice: 'users', winner: 'legacy' })).toBe(16);
    expect(metricValue(text, 'edge_fallbacks_total', { slice: 'users', reason: 'hedge' })).toBe(16);
    expect(metricValue(text, 'edge_fallbacks_total', { slice: 'users', reason: 'timeout' })).toBeUndefined();
  });

  it('serves the service\'s answer when it comes first after all, and abandons the hedge', async () => {
    await start();
    // Past the hedge delay (the edge's timer and the fake's run in this one process, so they fire in that order
    // however late), but long before legacy.
    const legacyMs = SERVICE_TIMEOUT_MS * 0.8;
    users.behave({ kind: 'delay', ms: 2 * HEDGE_MAX_MS });
    legacy.behave({ kind: 'delay', ms: legacyMs });
    const { reply, ms } = await timed('/api/users/7');

    expect(reply.status).toBe(200);
    expect(reply.headers['x-strangler-backend']).toBe('users');
    expect(reply.json<{ backend: string }>().backend).toBe('users');
    // Not held for legacy's answer: an edge that waited for it would take legacyMs.
    expect(ms).toBeLessThan(legacyMs / 2);
    expect(legacy.received.map((r) => r.url)).toEqual(['/api/users/7']);
    const text = await scrape();
    expect(metricValue(text, 'edge_hedges_total', { slice: 'users' })).toBe(1);
    expect(metricValue(text, 'edge_hedge_wins_total', { slice: 'users', winner: 'service' })).toBe(1);
    expect(metricValue(text, 'edge_hedge_wins_total', { slice: 'users', winner: 'legacy' })).toBeUndefined();
  });

  it('does not take a legacy 5xx as the answer while the service may still give a valid one', async () => {
    await start();
    users.behave({ kind: 'delay', ms: 2 * HEDGE_MAX_MS });
    legacy.behave({ kind: 'status', status: 503 });
    const { reply } = await timed('/api/users/8');
    expect(reply.status).toBe(200);
    expect(reply.headers['x-strangler-backend']).toBe('users');
    expect(legacy.received).toHaveLength(1);
  });

  it('falls back as before when the service fails outright after the hedge was sent: legacy answers once', async () => {
    await start({ SERVICE_TIMEOUT_MS: '1000', HEDGE_MAX_MS: '100' });
    // Silent past the hedge delay and then past SERVICE_TIMEOUT_MS: the hedge already in flight (legacy, slower
    // than the timeout) is the fallback, not a second legacy request.
    users.behave({ kind: 'hang' });
    legacy.behave({ kind: 'delay', ms: 1500 });
    const { reply } = await timed('/api/users/9');
    expect(reply.status).toBe(200);
    expect(reply.headers['x-strangler-backend']).toBe('legacy');
    expect(legacy.received).toHaveLength(1);
    const text = await scrape();
    expect(metricValue(text, 'edge_fallbacks_total', { slice: 'users', reason: 'timeout' })).toBe(1);
    expect(metricValue(text, 'edge_hedge_wins_total', { slice: 'users', winner: 'legacy' })).toBe(1);
  });

  it('follows the service\'s observed latency: a fast service is hedged after the floor', async () => {
    // A floor a loaded machine's fake service stays under (its slowest of 20 reads × HEDGE_FACTOR 2 below 500 ms),
    // and a ceiling far above it: which of the two the hung read waited for is plain from its time.
    const floorMs = 500;
    const ceilingMs = 4000;
    await start({ HEDGE_MIN_MS: String(floorMs), HEDGE_MAX_MS: String(ceilingMs) });
    for (let i = 0; i < 25; i++) expect((await send(t.url, `/api/users/${i + 1}`)).headers['x-strangler-backend']).toBe('users');
    // The gauge reports the delay the last read was armed with; the estimator moved to the floor at its 20th sample.
    expect(metricValue(await scrape(), 'edge_hedge_delay_seconds', { slice: 'users' })).toBe(floorMs / 1000);
    expect(metricValue(await scrape(), 'edge_hedges_total', { slice: 'users' }) ?? 0).toBe(0);

    users.behave({ kind: 'hang' });
    const { reply, ms } = await timed('/api/users/99');
    expect(reply.headers['x-strangler-backend']).toBe('legacy');
    // Hedged after the learned floor, not the cold ceiling (which it would have reached with the estimator ignored).
    expect(ms).toBeLessThan(ceilingMs);
    expect(t.logs.some((line) => line.msg === 'new service was slower than legacy: the hedged read is served from legacy' && line.delayMs === floorMs)).toBe(true);
  });

  it('feeds lost hedges to the breaker: a frozen service is opened after BREAKER_FAILURES reads, then not asked', async () => {
    await start({ BREAKER_FAILURES: '3', BREAKER_HALF_OPEN_MS: '60000' });
    users.behave({ kind: 'hang' });
    for (let i = 0; i < 3; i++) expect((await send(t.url, '/api/users/1')).headers['x-strangler-backend']).toBe('legacy');
    expect(metricValue(await scrape(), 'edge_breaker_state', { backend: 'users' })).toBe(2);
    expect(users.received).toHaveLength(3);

    const { reply, ms } = await timed('/api/users/1');
    expect(reply.headers['x-strangler-backend']).toBe('legacy');
    expect(ms).toBeLessThan(SERVICE_TIMEOUT_MS / 2);
    expect(users.received).toHaveLength(3);
    const text = await scrape();
    expect(metricValue(text, 'edge_fallbacks_total', { slice: 'users', reason: 'breaker_open' })).toBe(1);
    expect(metricValue(text, 'edge_hedges_total', { slice: 'users' })).toBe(3);
  });

  it('never hedges what is not a bodiless service read', async () => {
    await start();
    users.behave({ kind: 'hang' });
    legacy.behave({ kind: 'delay', ms: 300 });
    // Writes and reads with a body go to legacy alone (the route decision), however slow legacy is.
    const write = await send(t.url, '/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const readWithBody = await send(t.url, '/api/users/1', { method: 'GET', body: 'x' });
    expect([write.status, readWithBody.status]).toEqual([200, 200]);
    expect(users.received).toEqual([]);
    expect(legacy.received.map((r) => r.method)).toEqual(['POST', 'GET']);
    expect(metricValue(await scrape(), 'edge_hedges_total', { slice: 'users' }) ?? 0).toBe(0);
  });
});
