import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeFlagEvaluator } from '../flags/fake-flag-evaluator.js';
import type { FakeUpstream } from '../testing/fake-upstream.js';
import { rawStatus, send, sendRaw, startEdgeOnFakeUpstreams, type TestEdge } from '../testing/test-edge.js';

/** What an upstream receives from the edge's requests through http-proxy (its deleteLength pass is left out: see upstream-request.ts). */
describe('upstream requests', () => {
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let catalog: FakeUpstream;
  let t: TestEdge;

  beforeAll(async () => {
    ({ edge: t, legacy, users, catalog } = await startEdgeOnFakeUpstreams({ flags: createFakeFlagEvaluator({ 'users.reads': true }) }));
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([legacy.close(), users.close(), catalog.close()]);
  });

  beforeEach(() => {
    for (const upstream of [legacy, users, catalog]) upstream.received.length = 0;
  });

  it('forwards a chunked DELETE body as a chunked body: it is never read as a second request', async () => {
    const smuggled = 'GET /api/admin HTTP/1.1\r\nHost: legacy\r\nx-user-id: 1\r\n\r\n';
    const chunked = `${smuggled.length.toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;
    const response = await sendRaw(
      t.port,
      `DELETE /api/users/1 HTTP/1.1\r\nHost: edge.test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`,
    );
    expect(rawStatus(response)).toBe(200);
    // The next request on the same pooled connection must not be answered by whatever the body said.
    expect((await send(t.url, '/api/orders/1')).status).toBe(200);
    expect(legacy.received.map((r) => [r.method, r.url, r.bodyBytes])).toEqual([
      ['DELETE', '/api/users/1', smuggled.length],
      ['GET', '/api/orders/1', 0],
    ]);
  });

  it('says Content-Length: 0 for a bodiless DELETE, as before', async () => {
    await send(t.url, '/api/users/1', { method: 'DELETE' });
    expect(legacy.received.map((r) => [r.method, r.headers['content-length']])).toEqual([['DELETE', '0']]);
  });

  it('sends the path the way http-proxy did (runs of slashes collapsed) and the upstream its own Host', async () => {
    await send(t.url, '/api//users/5?q=a//b');
    expect(legacy.received.map((r) => r.url)).toEqual(['/api/users/5?q=a//b']);
    expect(legacy.received[0]?.headers.host).toBe(new URL(legacy.url).host);
  });

  it('streams a body to legacy and a bodiless read to the service', async () => {
    const write = await send(t.url, '/api/users', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
    const read = await send(t.url, '/api/users/2');
    expect([write.headers['x-strangler-backend'], read.headers['x-strangler-backend']]).toEqual(['legacy', 'users']);
    expect(legacy.received.map((r) => [r.method, r.bodyBytes])).toEqual([['POST', 12]]);
    expect(users.received.map((r) => [r.method, r.url, r.headers.host])).toEqual([['GET', '/api/users/2', new URL(users.url).host]]);
  });
});
