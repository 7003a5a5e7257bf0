import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeFlagEvaluator } from '../flags/fake-flag-evaluator.js';
import { refusedUrl, type FakeUpstream } from '../testing/fake-upstream.js';
import { metricSum, metricValue, send, startEdgeOnFakeUpstreams, startTestEdge, type TestEdge } from '../testing/test-edge.js';

interface Echo {
  backend: string;
}

async function scrape(t: TestEdge): Promise<string> {
  return (await send(t.adminUrl, '/metrics')).text;
}

describe('new service failures are served by legacy', () => {
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let catalog: FakeUpstream;
  let t: TestEdge;

  beforeAll(async () => {
    ({ edge: t, legacy, users, catalog } = await startEdgeOnFakeUpstreams({
      flags: createFakeFlagEvaluator({ 'users.reads': true, 'catalog.reads': true }),
      // A breaker that does not open during these tests: each failure must be handled on its own.
      env: { SERVICE_TIMEOUT_MS: '300', BREAKER_FAILURES: '1000' },
    }));
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([legacy.close(), users.close(), catalog.close()]);
  });

  beforeEach(() => {
    for (const upstream of [legacy, users, catalog]) {
      upstream.received.length = 0;
      upstream.behave({ kind: 'echo' });
    }
  });

  it.each([
    ['a 500', { kind: 'status', status: 500 } as const, 'status_5xx'],
    ['a 503', { kind: 'status', status: 503 } as const, 'status_5xx'],
    ['a dropped connection', { kind: 'drop' } as const, 'connection_error'],
    ['no answer within SERVICE_TIMEOUT_MS', { kind: 'hang' } as const, 'timeout'],
  ])('answers a read from legacy when the service gives %s', async (_name, behaviour, reason) => {
    users.behave(behaviour);
    const before = metricValue(await scrape(t), 'edge_fallbacks_total', { slice: 'users', reason }) ?? 0;

    const reply = await send(t.url, '/api/users/3', { headers: { 'x-request-id': 'fallback-1' } });

    expect(reply.status).toBe(200);
    expect(reply.json<Echo>().backend).toBe('legacy');
    expect(reply.headers['x-strangler-backend']).toBe('legacy');
    expect(reply.headers['x-request-id']).toBe('fallback-1');
    expect(users.received.map((r) => r.url)).toEqual(['/api/users/3']);
    expect(legacy.received.map((r) => r.url)).toEqual(['/api/users/3']);
    // Legacy got the same sanitised request the service got.
    expect(legacy.received[0]!.headers['x-request-id']).toBe('fallback-1');
    expect(legacy.received[0]!.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(metricValue(await scrape(t), 'edge_fallbacks_total', { slice: 'users', reason })).toBe(before + 1);
    expect(t.logs.some((line) => line.msg === 'new service failed a read: serving it from legacy' && line.reason === reason)).toBe(true);
  });

  it('answers from legacy when the service refuses connections', async () => {
    const refused = await refusedUrl();
    const t2 = await startTestEdge({
      legacy: legacy.url,
      users: refused,
      catalog: catalog.url,
      flags: createFakeFlagEvaluator({ 'users.reads': true }),
    });
    try {
      const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => send(t2.url, `/api/users/${i + 1}`)));
      expect(replies.map((r) => r.status)).toEqual(Array(20).fill(200));
      expect(replies.every((r) => r.json<Echo>().backend === 'legacy')).toBe(true);
      const text = (await send(t2.adminUrl, '/metrics')).text;
      // Each read fell back once: refused while the circuit was closed, straight to legacy once it had opened.
      expect(metricSum(text, 'edge_fallbacks_total', { slice: 'users' })).toBe(20);
      expect(metricValue(text, 'edge_fallbacks_total', { slice: 'users', reason: 'connection_error' })).toBeGreaterThanOrEqual(5);
    } finally {
      await t2.close();
    }
  });

  it('passes a service 4xx through: only failures fall back', async () => {
    catalog.behave({ kind: 'status', status: 404 });
    const reply = await send(t.url, '/api/products/999');
    expect(reply.status).toBe(404);
    expect(reply.headers['x-strangler-backend']).toBe('catalog');
    expect(reply.json<{ backend: string }>().backend).toBe('catalog');
    expect(legacy.received).toHaveLength(0);
  });

  it('serves a burst of concurrent reads with zero client errors while the service fails', async () => {
    users.behave({ kind: 'status', status: 502 });
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => send(t.url, `/api/users/${i + 1}`)));
    expect(replies.filter((r) => r.status !== 200)).toEqual([]);
    expect(replies.every((r) => r.json<Echo>().backend === 'legacy')).toBe(true);
    expect(users.received).toHaveLength(50);
  });

  it('breaks off the client response when an upstream breaks off mid-body, instead of ending it as if complete', async () => {
    legacy.behave({ kind: 'truncate' });
    await expect(send(t.url, '/api/orders/1')).rejects.toThrow();
    legacy.behave({ kind: 'echo' });
    expect((await send(t.url, '/api/orders/1')).status).toBe(200);
  });

  it('answers 502 / 504 JSON when legacy itself fails, and stays up', async () => {
    legacy.behave({ kind: 'drop' });
    const dropped = await send(t.url, '/api/orders/1');
    expect(dropped.status).toBe(502);
    expect(dropped.json()).toEqual({ error: { code: 'BAD_GATEWAY', message: 'The backend is unavailable' } });

    legacy.behave({ kind: 'hang' });
    const slow = await startTestEdge({ legacy: legacy.url, users: users.url, catalog: catalog.url, env: { UPSTREAM_TIMEOUT_MS: '300' } });
    try {
      const timedOut = await send(slow.url, '/api/orders/1');
      expect(timedOut.status).toBe(504);
      expect(timedOut.json()).toEqual({ error: { code: 'UPSTREAM_TIMEOUT', message: 'The backend did not answer in time' } });
    } finally {
      await slow.close();
    }

    legacy.behave({ kind: 'echo' });
    const ok = await send(t.url, '/api/orders/1');
    expect(ok.status).toBe(200);
    expect(ok.json<Echo>().backend).toBe('legacy');
  });
});

describe('circuit breaker per new service', () => {
  const HALF_OPEN_MS = 400;
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let catalog: FakeUpstream;
  let t: TestEdge;

  beforeEach(async () => {
    // The breaker times its open circuit with Date.now() (cockatiel's and the edge's check alike). A fake Date stands
    // still until the test moves it past the delay: no trial can slip in while a loaded machine is slow to send the
    // "open" reads, and "the delay has passed" needs no sleep. Timers, sockets and timeouts stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    ({ edge: t, legacy, users, catalog } = await startEdgeOnFakeUpstreams({
      flags: createFakeFlagEvaluator({ 'users.reads': true, 'catalog.reads': true }),
      env: { BREAKER_FAILURES: '3', BREAKER_HALF_OPEN_MS: String(HALF_OPEN_MS), SERVICE_TIMEOUT_MS: '300' },
    }));
  });

  afterEach(async () => {
    vi.useRealTimers();
    await t.close();
    await Promise.all([legacy.close(), users.close(), catalog.close()]);
  });

  it('opens after N consecutive failures, sends reads straight to legacy, and closes after recovery', async () => {
    expect(metricValue(await scrape(t), 'edge_breaker_state', { backend: 'users' })).toBe(0);
    users.behave({ kind: 'status', status: 500 });
    for (let i = 0; i < 3; i++) expect((await send(t.url, '/api/users/1')).json<Echo>().backend).toBe('legacy');
    expect(users.received).toHaveLength(3);
    expect(metricValue(await scrape(t), 'edge_breaker_state', { backend: 'users' })).toBe(2);
    expect(metricValue(await scrape(t), 'edge_breaker_transitions_total', { backend: 'users', state: 'open' })).toBe(1);

    // Open: the service is not even asked.
    for (let i = 0; i < 5; i++) expect((await send(t.url, '/api/users/1')).json<Echo>().backend).toBe('legacy');
    expect(users.received).toHaveLength(3);
    expect(metricValue(await scrape(t), 'edge_fallbacks_total', { slice: 'users', reason: 'breaker_open' })).toBe(5);
    // The other slice's breaker is its own.
    expect((await send(t.url, '/api/products/1')).json<Echo>().backend).toBe('catalog');
    expect(metricValue(await scrape(t), 'edge_breaker_state', { backend: 'catalog' })).toBe(0);

    // Still failing at the trial: open again.
    vi.advanceTimersByTime(HALF_OPEN_MS);
    expect((await send(t.url, '/api/users/1')).json<Echo>().backend).toBe('legacy');
    expect(users.received).toHaveLength(4);
    expect(metricValue(await scrape(t), 'edge_breaker_state', { backend: 'users' })).toBe(2);

    // Recovered: the trial succeeds and the circuit closes.
    users.behave({ kind: 'echo' });
    vi.advanceTimersByTime(HALF_OPEN_MS);
    const trial = await send(t.url, '/api/users/1');
    expect(trial.json<Echo>().backend).toBe('users');
    expect(metricValue(await scrape(t), 'edge_breaker_state', { backend: 'users' })).toBe(0);
    expect(metricValue(await scrape(t), 'edge_breaker_transitions_total', { backend: 'users', state: 'closed' })).toBe(1);
    expect((await send(t.url, '/api/users/2')).json<Echo>().backend).toBe('users');
    expect(t.logs.filter((line) => line.breaker === 'open').length).toBe(2);
  });

  it('counts timeouts as failures too', async () => {
    users.behave({ kind: 'hang' });
    for (let i = 0; i < 3; i++) expect((await send(t.url, '/api/users/1')).status).toBe(200);
    expect(metricValue(await scrape(t), 'edge_breaker_state', { backend: 'users' })).toBe(2);
    expect(users.received).toHaveLength(3);
    // Straight to legacy: the hanging service is not asked again, so there is no SERVICE_TIMEOUT_MS wait.
    expect((await send(t.url, '/api/users/1')).json<Echo>().backend).toBe('legacy');
    expect(users.received).toHaveLength(3);
    expect(metricValue(await scrape(t), 'edge_fallbacks_total', { slice: 'users', reason: 'timeout' })).toBe(3);
  });
});
