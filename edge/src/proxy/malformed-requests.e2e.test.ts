import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakeFlagEvaluator } from '../flags/fake-flag-evaluator.js';
import { startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { metricValue, rawJson, rawStatus, send, sendRaw, startEdgeOnFakeUpstreams, startTestEdge, type TestEdge } from '../testing/test-edge.js';

/**
 * Requests an honest client would not send. Each is answered with a 4xx (JSON `{error:{code,message}}`), never
 * reaches an upstream, and leaves the edge serving the next request.
 */
describe('malformed and refused requests', () => {
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let catalog: FakeUpstream;
  let t: TestEdge;

  beforeAll(async () => {
    ({ edge: t, legacy, users, catalog } = await startEdgeOnFakeUpstreams({
      flags: createFakeFlagEvaluator({ 'users.reads': true, 'catalog.reads': true }),
      env: { MAX_BODY_BYTES: '1024', MAX_HEADER_BYTES: '16384' },
    }));
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([legacy.close(), users.close(), catalog.close()]);
  });

  beforeEach(() => {
    for (const upstream of [legacy, users, catalog]) upstream.received.length = 0;
  });

  const head = (line: string, headers: string[] = []) => [line, 'Host: edge.test', ...headers, 'Connection: close', '', ''].join('\r\n');

  interface Case {
    name: string;
    raw: string;
    status: number;
    code: string;
  }

  const cases: Case[] = [
    { name: 'head over MAX_HEADER_BYTES', raw: head('GET /api/users/1 HTTP/1.1', [`X-Big: ${'a'.repeat(20_000)}`]), status: 431, code: 'HEADERS_TOO_LARGE' },
    { name: 'non-numeric Content-Length', raw: head('POST /api/users HTTP/1.1', ['Content-Length: abc']), status: 400, code: 'BAD_CONTENT_LENGTH' },
    { name: 'negative Content-Length', raw: head('POST /api/users HTTP/1.1', ['Content-Length: -1']), status: 400, code: 'BAD_CONTENT_LENGTH' },
    { name: 'conflicting duplicate Content-Length', raw: head('POST /api/users HTTP/1.1', ['Content-Length: 5', 'Content-Length: 6']) + 'hello!', status: 400, code: 'BAD_CONTENT_LENGTH' },
    { name: 'identical duplicate Content-Length', raw: head('POST /api/users HTTP/1.1', ['Content-Length: 5', 'Content-Length: 5']) + 'hello', status: 400, code: 'BAD_CONTENT_LENGTH' },
    { name: 'Content-Length with Transfer-Encoding', raw: head('POST /api/users HTTP/1.1', ['Content-Length: 5', 'Transfer-Encoding: chunked']) + '0\r\n\r\n', status: 400, code: 'BAD_TRANSFER_ENCODING' },
    { name: 'Transfer-Encoding that is not chunked', raw: head('POST /api/users HTTP/1.1', ['Transfer-Encoding: gzip']), status: 400, code: 'BAD_TRANSFER_ENCODING' },
    { name: 'Content-Length over MAX_BODY_BYTES', raw: head('POST /api/users HTTP/1.1', ['Content-Length: 5000', 'Content-Type: application/json']), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'plain dot-dot segment', raw: head('GET /api/../admin HTTP/1.1'), status: 400, code: 'PATH_TRAVERSAL' },
    { name: 'plain dot segment', raw: head('GET /api/./users/1 HTTP/1.1'), status: 400, code: 'PATH_TRAVERSAL' },
    { name: 'encoded dot-dot segment', raw: head('GET /api/users/%2e%2e/%2E%2e/etc/passwd HTTP/1.1'), status: 400, code: 'PATH_TRAVERSAL' },
    { name: 'half-encoded dot-dot segment', raw: head('GET /api/users/.%2e/admin HTTP/1.1'), status: 400, code: 'PATH_TRAVERSAL' },
    { name: 'double-encoded dot-dot', raw: head('GET /api/users/%252e%252e/admin HTTP/1.1'), status: 400, code: 'BAD_PATH_ENCODING' },
    { name: 'encoded slash inside a segment', raw: head('GET /api/users/1%2f..%2fadmin HTTP/1.1'), status: 400, code: 'BAD_PATH' },
    { name: 'encoded backslash', raw: head('GET /api/users/..%5cadmin HTTP/1.1'), status: 400, code: 'BAD_PATH' },
    { name: 'backslash', raw: head('GET /api\\users\\1 HTTP/1.1'), status: 400, code: 'BAD_PATH' },
    { name: 'encoded NUL', raw: head('GET /api/users/1%00.json HTTP/1.1'), status: 400, code: 'BAD_PATH' },
    { name: 'invalid percent-encoding', raw: head('GET /api/users/%zz HTTP/1.1'), status: 400, code: 'BAD_PATH_ENCODING' },
    { name: 'overlong UTF-8 dot', raw: head('GET /api/users/%c0%ae%c0%ae/admin HTTP/1.1'), status: 400, code: 'BAD_PATH_ENCODING' },
    { name: 'absolute-form URL to another host', raw: head('GET http://169.254.169.254/latest/meta-data HTTP/1.1'), status: 400, code: 'FOREIGN_HOST' },
    { name: 'asterisk-form target', raw: head('OPTIONS * HTTP/1.1'), status: 400, code: 'BAD_REQUEST_TARGET' },
    { name: 'TRACE', raw: head('TRACE /api/users/1 HTTP/1.1'), status: 405, code: 'METHOD_NOT_ALLOWED' },
    { name: 'CONNECT tunnel', raw: head('CONNECT 127.0.0.1:22 HTTP/1.1'), status: 405, code: 'METHOD_NOT_ALLOWED' },
    { name: 'unknown method', raw: head('BREW /api/users/1 HTTP/1.1'), status: 400, code: 'BAD_REQUEST' },
    { name: 'garbage request line', raw: 'HELLO THERE\r\n\r\n', status: 400, code: 'BAD_REQUEST' },
    { name: 'control character in a header name', raw: head('GET /api/users/1 HTTP/1.1', ['X-Bad\u0001: y']), status: 400, code: 'BAD_REQUEST' },
    { name: 'HTTP/1.1 without Host', raw: 'GET /api/users/1 HTTP/1.1\r\nConnection: close\r\n\r\n', status: 400, code: 'BAD_HOST' },
    { name: 'two Host headers', raw: head('GET /api/users/1 HTTP/1.1', ['Host: other.test']), status: 400, code: 'BAD_HOST' },
    { name: 'broken chunk size', raw: head('POST /api/users HTTP/1.1', ['Transfer-Encoding: chunked']) + 'zz\r\nhello\r\n0\r\n\r\n', status: 400, code: 'BAD_TRANSFER_ENCODING' },
  ];

  it.each(cases)('$name → $status', async ({ raw, status, code }) => {
    const response = await sendRaw(t.port, raw);
    expect(rawStatus(response), response.slice(0, 300)).toBe(status);
    expect(rawJson(response)).toMatchObject({ error: { code } });
    expect(response).toMatch(/content-type: application\/json/i);
    expect([...legacy.received, ...users.received, ...catalog.received]).toEqual([]);
    // The edge is still up and serving.
    const next = await send(t.url, '/api/users/1');
    expect(next.status).toBe(200);
    expect(next.headers['x-strangler-backend']).toBe('users');
  });

  it('serves HTTP/1.0 without Host (only 1.1 requires it)', async () => {
    const response = await sendRaw(t.port, 'GET /api/users/1 HTTP/1.0\r\n\r\n');
    expect(rawStatus(response)).toBe(200);
    expect(response).toMatch(/x-strangler-backend: users/i);
  });

  it('accepts an absolute-form URL naming the edge itself, as origin-form', async () => {
    const response = await sendRaw(t.port, head('GET http://edge.test/api/users/1?x=1 HTTP/1.1'));
    expect(rawStatus(response)).toBe(200);
    expect(users.received.map((r) => r.url)).toEqual(['/api/users/1?x=1']);
  });

  it('answers 413 to a chunked body that grows past MAX_BODY_BYTES, having forwarded no more than the limit', async () => {
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${t.url}/api/users`, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', (error) => reject(error));
      // Chunked (no Content-Length); the edge only learns the size while streaming.
      let sent = 0;
      const pump = () => {
        if (sent >= 8 * 1024 || req.destroyed) {
          req.end();
          return;
        }
        sent += 512;
        req.write('x'.repeat(512), () => setTimeout(pump, 5));
      };
      pump();
    });
    expect(reply.status).toBe(413);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    // Legacy may have seen the start of the body, never more than the limit, and never a complete request.
    expect(legacy.received).toEqual([]);
    expect((await send(t.url, '/api/users/1')).status).toBe(200);
  });

  it('accepts a body up to MAX_BODY_BYTES', async () => {
    const reply = await send(t.url, '/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1024) });
    expect(reply.status).toBe(200);
    expect(legacy.received.map((r) => r.bodyBytes)).toEqual([1024]);
  });

  it('refuses a too-large body announced with Expect: 100-continue without asking for it', async () => {
    const response = await sendRaw(
      t.port,
      head('POST /api/users HTTP/1.1', ['Content-Length: 5000', 'Expect: 100-continue', 'Content-Type: application/json']),
    );
    expect(response).not.toContain('100 Continue');
    expect(rawStatus(response)).toBe(413);
  });

  it('counts what it refused', async () => {
    const text = (await send(t.adminUrl, '/metrics')).text;
    expect(metricValue(text, 'edge_rejected_requests_total', { code: 'PATH_TRAVERSAL' })).toBeGreaterThanOrEqual(4);
    expect(metricValue(text, 'edge_rejected_requests_total', { code: 'HEADERS_TOO_LARGE' })).toBe(1);
  });
});

describe('slow and abusive clients', () => {
  let legacy: FakeUpstream;
  let t: TestEdge;

  beforeAll(async () => {
    legacy = await startFakeUpstream('legacy');
    t = await startTestEdge({
      legacy: legacy.url,
      users: legacy.url,
      catalog: legacy.url,
      env: { HEADERS_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '600' },
    });
  });

  afterAll(async () => {
    await t.close();
    await legacy.close();
  });

  it('answers 408 to a head that never completes', async () => {
    const response = await new Promise<string>((resolve) => {
      const socket = net.connect(t.port, '127.0.0.1');
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString('latin1')));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      socket.write('GET /api/users/1 HTTP/1.1\r\nHost: edge.test\r\nX-Slow: ');
    });
    expect(rawStatus(response)).toBe(408);
    expect(rawJson(response)).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
  });
});

describe('rate limiting', () => {
  let legacy: FakeUpstream;
  let t: TestEdge;

  beforeAll(async () => {
    // The bucket refills by Date.now(), which the edge's limiter takes when it is built: with a fake Date installed
    // first, the clock stands still while the test's requests are sent (a loaded machine cannot refill a token between
    // them) and moves by exactly one token's worth when the test says so. Timers and sockets stay real.
    vi.useFakeTimers({ toFake: ['Date'] });
    legacy = await startFakeUpstream('legacy');
    t = await startTestEdge({ legacy: legacy.url, users: legacy.url, catalog: legacy.url, env: { RATE_LIMIT_RPS: '1', RATE_LIMIT_BURST: '3' } });
  });

  afterAll(async () => {
    vi.useRealTimers();
    await t.close();
    await legacy.close();
  });

  it('rate-limits each client with a token bucket: 429 JSON with Retry-After', async () => {
    const replies = [];
    for (let i = 0; i < 5; i++) replies.push(await send(t.url, '/api/orders/1'));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    const limited = replies[3]!;
    expect(limited.json()).toEqual({ error: { code: 'RATE_LIMITED', message: 'Too many requests' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(legacy.received).toHaveLength(3);

    // A spoofed x-forwarded-for does not buy a fresh bucket: only the socket's address counts (no trusted proxy).
    const spoofed = await send(t.url, '/api/orders/1', { headers: { 'x-forwarded-for': '203.0.113.9' } });
    expect(spoofed.status).toBe(429);

    // RATE_LIMIT_RPS=1: a second later there is one token again, and only one.
    vi.advanceTimersByTime(1000);
    expect((await send(t.url, '/api/orders/1')).status).toBe(200);
    expect((await send(t.url, '/api/orders/1')).status).toBe(429);
    expect(legacy.received).toHaveLength(4);
  });
});
