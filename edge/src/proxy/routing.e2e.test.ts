import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeFlagEvaluator, type FakeFlagEvaluator } from '../flags/fake-flag-evaluator.js';
import { startFakeUpstream, type FakeUpstream, type ReceivedRequest } from '../testing/fake-upstream.js';
import { issueToken, send, startTestEdge, TEST_JWT_SECRET, type Reply, type TestEdge } from '../testing/test-edge.js';

interface Echo {
  backend: string;
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
}

/** The sid the edge set in this response, or undefined. */
function issuedSid(reply: Reply): string | undefined {
  const cookies = reply.headers['set-cookie'] ?? [];
  for (const cookie of cookies) {
    const match = /^sid=([^;]+);/.exec(cookie);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

describe('edge routing (real upstreams, fake flags)', () => {
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let catalog: FakeUpstream;
  let flags: FakeFlagEvaluator;
  let t: TestEdge;

  beforeAll(async () => {
    [legacy, users, catalog] = await Promise.all([startFakeUpstream('legacy'), startFakeUpstream('users'), startFakeUpstream('catalog')]);
    flags = createFakeFlagEvaluator();
    t = await startTestEdge({ legacy: legacy.url, users: users.url, catalog: catalog.url, flags });
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([legacy.close(), users.close(), catalog.close()]);
  });

  beforeEach(() => {
    flags.set('users.reads', false);
    flags.set('catalog.reads', false);
    flags.calls.length = 0;
    for (const upstream of [legacy, users, catalog]) upstream.received.length = 0;
  });

  it('splits reads of a slice per user by its flag', async () => {
    flags.set('users.reads', { keys: ['7'] });
    const seven = await send(t.url, '/api/users/7', { headers: { authorization: `Bearer ${await issueToken(7)}` } });
    const eight = await send(t.url, '/api/users/7', { headers: { authorization: `Bearer ${await issueToken(8)}` } });

    expect(seven.status).toBe(200);
    expect(seven.json<Echo>().backend).toBe('users');
    expect(seven.headers['x-strangler-backend']).toBe('users');
    expect(eight.json<Echo>().backend).toBe('legacy');
    expect(eight.headers['x-strangler-backend']).toBe('legacy');
    expect(users.received).toHaveLength(1);
    expect(legacy.received).toHaveLength(1);
    // Signed-in users are sticky by their id, passed as both userId and sessionId.
    expect(flags.calls.map((call) => call.context)).toEqual([
      { userId: '7', sessionId: '7' },
      { userId: '8', sessionId: '8' },
    ]);
  });

  it('sends every route of an enabled slice, GET and HEAD, to its service, and keeps the query', async () => {
    flags.set('catalog.reads', true);
    flags.set('users.reads', true);
    for (const path of ['/api/products', '/api/products/3', '/api/products/3/stock', '/api/products?page=2&q=tea']) {
      const reply = await send(t.url, path);
      expect(reply.json<Echo>(), path).toMatchObject({ backend: 'catalog', url: path });
    }
    const head = await send(t.url, '/api/users?email=a%40b.c', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['x-strangler-backend']).toBe('users');
    expect(users.received.map((r) => [r.method, r.url])).toEqual([['HEAD', '/api/users?email=a%40b.c']]);
    expect(legacy.received).toHaveLength(0);
  });

  it('sends writes to legacy even when the slice is on for everyone', async () => {
    flags.set('users.reads', true);
    flags.set('catalog.reads', true);
    const token = await issueToken(7);
    const writes: Array<[string, string]> = [
      ['POST', '/api/users'],
      ['PATCH', '/api/users/7'],
      ['DELETE', '/api/users/7'],
      ['POST', '/api/products'],
      ['PATCH', '/api/products/3'],
      ['PUT', '/api/products/3/stock'],
    ];
    for (const [method, path] of writes) {
      const reply = await send(t.url, path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"quantity":5}',
      });
      expect(reply.json<Echo>().backend, `${method} ${path}`).toBe('legacy');
    }
    expect(legacy.received.map((r) => `${r.method} ${r.url} ${r.bodyBytes}`)).toEqual(writes.map(([m, p]) => `${m} ${p} 14`));
    expect(users.received).toHaveLength(0);
    expect(catalog.received).toHaveLength(0);
  });

  it('sends unmatched paths, and /api/users/:id/orders, to legacy', async () => {
    flags.set('users.reads', true);
    flags.set('catalog.reads', true);
    for (const path of ['/api/users/5/orders', '/api/orders/1', '/api/auth/login', '/health', '/api/products/3/stock/extra', '/API/USERS/5', '/api//users/5']) {
      const reply = await send(t.url, path);
      expect(reply.json<Echo>().backend, path).toBe('legacy');
      expect(reply.headers['x-strangler-backend']).toBe('legacy');
    }
    expect(users.received).toHaveLength(0);
    expect(catalog.received).toHaveLength(0);
  });

  it('gives an anonymous visitor a sid cookie and keeps them on the same backend with it', async () => {
    flags.set('users.reads', { keys: [] });
    const first = await send(t.url, '/api/users/1');
    const sid = issuedSid(first);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const cookie = (first.headers['set-cookie'] ?? []).find((c) => c.startsWith('sid='));
    expect(cookie).toMatch(/; Path=\/; Max-Age=31536000; HttpOnly; SameSite=Lax$/);
    // The upstream's own cookie is passed on next to the edge's.
    expect(first.headers['set-cookie']).toContain('legacy-cookie=1; Path=/');
    expect(first.json<Echo>().backend).toBe('legacy');

    flags.set('users.reads', { keys: [sid!] });
    for (let i = 0; i < 5; i++) {
      const again = await send(t.url, '/api/users/1', { headers: { cookie: `theme=dark; sid=${sid}` } });
      expect(again.json<Echo>().backend).toBe('users');
      expect(issuedSid(again)).toBeUndefined();
    }
    // Without the cookie the visitor is someone new: a new sid, and not in the rollout.
    const stranger = await send(t.url, '/api/users/1');
    expect(issuedSid(stranger)).not.toBe(sid);
    expect(stranger.json<Echo>().backend).toBe('legacy');
    expect(flags.calls.slice(1, 2).map((call) => call.context)).toEqual([{ userId: sid, sessionId: sid }]);
  });

  it('replaces a malformed sid cookie with a fresh one', async () => {
    const reply = await send(t.url, '/api/users/1', { headers: { cookie: 'sid=short' } });
    const sid = issuedSid(reply);
    expect(sid).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(flags.calls[0]?.context.userId).toBe(sid);
  });

  it('never passes a spoofed identity on, and sets x-user-id only from a verified token', async () => {
    const spoofed = {
      'x-user-id': '1',
      'x-user-roles': 'admin',
      'x-strangler-backend': 'users',
      'x-strangler-internal': 'yes',
    };
    const anonymous = await send(t.url, '/api/users/1', { headers: spoofed });
    const anonymousSeen = legacy.received[0]!.headers;
    expect(anonymous.status).toBe(200);
    for (const name of Object.keys(spoofed)) expect(anonymousSeen[name], name).toBeUndefined();

    await send(t.url, '/api/orders/9', { headers: { ...spoofed, authorization: `Bearer ${await issueToken(42)}` } });
    const signedInSeen = legacy.received[1]!.headers;
    expect(signedInSeen['x-user-id']).toBe('42');
    expect(signedInSeen['x-user-roles']).toBeUndefined();
    expect(signedInSeen['x-strangler-internal']).toBeUndefined();
    // The token itself still reaches the backend, which authorises on its own.
    expect(signedInSeen.authorization).toMatch(/^Bearer /);
  });

  it('treats an invalid, expired or foreign token as anonymous', async () => {
    flags.set('users.reads', { keys: ['42'] });
    const tokens = [
      await issueToken(42, { secret: 'another-secret-that-is-at-least-32-characters' }),
      await issueToken(42, { expiresIn: Math.floor(Date.now() / 1000) - 60 }),
      await issueToken(42, { issuer: 'someone-else' }),
      'not.a.jwt',
    ];
    for (const token of tokens) {
      const reply = await send(t.url, '/api/users/42', { headers: { authorization: `Bearer ${token}`, 'x-user-id': '42' } });
      expect(reply.json<Echo>().backend).toBe('legacy');
      expect(issuedSid(reply)).toBeDefined();
    }
    expect(legacy.received.every((r: ReceivedRequest) => r.headers['x-user-id'] === undefined)).toBe(true);
    expect(TEST_JWT_SECRET).not.toBe('another-secret-that-is-at-least-32-characters');
  });

  it('keeps a well-formed x-request-id, replaces a malformed one, and returns it', async () => {
    const kept = await send(t.url, '/api/orders/1', { headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    expect(legacy.received[0]!.headers['x-request-id']).toBe('abc-123');

    const replaced = await send(t.url, '/api/orders/1', { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(legacy.received[1]!.headers['x-request-id']).toBe(replaced.headers['x-request-id']);

    const generated = await send(t.url, '/api/orders/1');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated.headers['x-request-id']).not.toBe(replaced.headers['x-request-id']);
  });

  it('forwards trace context untouched and sets x-forwarded-* itself', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    await send(t.url, '/api/orders/1', {
      headers: {
        traceparent,
        tracestate: 'vendor=opaque',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'https',
        forwarded: 'for=6.6.6.6',
        host: 'shop.example:8000',
      },
    });
    const seen = legacy.received[0]!.headers;
    expect(seen.traceparent).toBe(traceparent);
    expect(seen.tracestate).toBe('vendor=opaque');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(seen['x-forwarded-host']).toBe('shop.example:8000');
    expect(seen['x-forwarded-proto']).toBe('http');
    expect(seen.forwarded).toBeUndefined();
    // The upstream sees its own host (changeOrigin), never one the client chose.
    expect(seen.host).toBe(new URL(legacy.url).host);
  });

  it('drops hop-by-hop headers both ways and overrides upstream x-strangler-* headers', async () => {
    const reply = await send(t.url, '/api/orders/1', { headers: { connection: 'close, x-drop-me', 'x-drop-me': 'secret', 'keep-alive': 'timeout=99' } });
    const seen = legacy.received[0]!.headers;
    expect(seen['x-drop-me']).toBeUndefined();
    expect(seen['keep-alive']).toBeUndefined();
    expect(reply.headers['x-strangler-backend']).toBe('legacy');
    expect(reply.headers['keep-alive']).toBeUndefined();
    expect(reply.headers['x-upstream-hop']).toBeUndefined();
    expect(reply.headers['x-served-by']).toBe('legacy');
  });
});

describe('edge with BACKEND_HEADER=false', () => {
  it('leaves x-strangler-backend off responses', async () => {
    const [legacy, users, catalog] = await Promise.all([startFakeUpstream('legacy'), startFakeUpstream('users'), startFakeUpstream('catalog')]);
    const flags = createFakeFlagEvaluator({ 'users.reads': true });
    const t = await startTestEdge({ legacy: legacy.url, users: users.url, catalog: catalog.url, flags, env: { BACKEND_HEADER: 'false' } });
    try {
      const toService = await send(t.url, '/api/users/1');
      const toLegacy = await send(t.url, '/api/orders/1');
      expect(toService.json<Echo>().backend).toBe('users');
      expect(toLegacy.json<Echo>().backend).toBe('legacy');
      expect(toService.headers['x-strangler-backend']).toBeUndefined();
      expect(toLegacy.headers['x-strangler-backend']).toBeUndefined();
      expect(toService.headers['x-request-id']).toBeDefined();
    } finally {
      await t.close();
      await Promise.all([legacy.close(), users.close(), catalog.close()]);
    }
  });
});
