import http from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@strangler/platform';
import { createFakeFlagEvaluator } from '../flags/fake-flag-evaluator.js';
import type { FlagStatus } from '../flags/flag-evaluator.js';
import { snapshotFileFor } from '../flags/snapshot-storage.js';
import { createUnleashFlagEvaluator } from '../flags/unleash-flag-evaluator.js';
import { refusedUrl, startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { issueToken, metricValue, send, startEdgeOnFakeUpstreams, startTestEdge, type TestEdge } from '../testing/test-edge.js';

describe('admin listener', () => {
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let catalog: FakeUpstream;
  let t: TestEdge;

  beforeAll(async () => {
    ({ edge: t, legacy, users, catalog } = await startEdgeOnFakeUpstreams({
      flags: createFakeFlagEvaluator({ 'users.reads': true }),
    }));
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([legacy.close(), users.close(), catalog.close()]);
  });

  it('answers /health and /ready', async () => {
    const health = await send(t.adminUrl, '/health');
    expect(health.status).toBe(200);
    expect(health.json()).toEqual({ status: 'ok' });
    const ready = await send(t.adminUrl, '/ready');
    expect(ready.status).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', flags: 'static' });
  });

  it('exposes request, latency, breaker and flag metrics', async () => {
    await send(t.url, '/api/users/1');
    await send(t.url, '/api/users/1');
    await send(t.url, '/api/orders/1');
    await send(t.url, '/api/../x');
    const metrics = await send(t.adminUrl, '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    const text = metrics.text;
    expect(metricValue(text, 'edge_requests_total', { slice: 'users', backend: 'users', status: '200' })).toBe(2);
    expect(metricValue(text, 'edge_requests_total', { slice: 'none', backend: 'legacy', status: '200' })).toBe(1);
    expect(metricValue(text, 'edge_requests_total', { slice: 'none', backend: 'edge', status: '400' })).toBe(1);
    expect(metricValue(text, 'edge_request_duration_seconds_count', { slice: 'users', backend: 'users' })).toBe(2);
    expect(metricValue(text, 'edge_breaker_state', { backend: 'users' })).toBe(0);
    expect(metricValue(text, 'edge_breaker_state', { backend: 'catalog' })).toBe(0);
    expect(metricValue(text, 'edge_flags_ready', { source: 'static' })).toBe(1);
    expect(text).toContain('# TYPE edge_fallbacks_total counter');
    expect(metricValue(text, 'edge_rejected_requests_total', { code: 'PATH_TRAVERSAL' })).toBe(1);
  });

  it('keeps admin endpoints off the public port: /metrics there is just another legacy path', async () => {
    const reply = await send(t.url, '/metrics');
    expect(reply.headers['x-strangler-backend']).toBe('legacy');
    expect(reply.json<{ backend: string }>().backend).toBe('legacy');
  });

  it('answers unknown admin paths and writes with JSON errors', async () => {
    const missing = await send(t.adminUrl, '/nope');
    expect(missing.status).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    const post = await send(t.adminUrl, '/ready', { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('writes one JSON access-log line per request when ACCESS_LOG is on', async () => {
    const logged = await startTestEdge({ legacy: legacy.url, users: users.url, catalog: catalog.url, env: { ACCESS_LOG: 'true' } });
    try {
      await send(logged.url, '/api/orders/1', { headers: { 'x-request-id': 'log-me', authorization: `Bearer ${await issueToken(5)}` } });
      const line = logged.logs.find((entry) => entry.msg === 'request completed');
      expect(line).toMatchObject({ reqId: 'log-me', method: 'GET', url: '/api/orders/1', status: 200, slice: 'none', backend: 'legacy' });
      expect(typeof line?.durationMs).toBe('number');
      // Credentials never reach the log.
      expect(JSON.stringify(logged.logs)).not.toContain('Bearer');
    } finally {
      await logged.close();
    }
  });
});

describe('/ready follows the flags', () => {
  it('is 503 until flags load, then 200', async () => {
    const legacy = await startFakeUpstream('legacy');
    let status: FlagStatus = { ready: false, source: 'starting' };
    const flags = { isEnabled: () => false, status: () => status };
    const t = await startTestEdge({ legacy: legacy.url, users: legacy.url, catalog: legacy.url, flags });
    try {
      const before = await send(t.adminUrl, '/ready');
      expect(before.status).toBe(503);
      expect(before.json()).toMatchObject({ error: { code: 'FLAGS_NOT_LOADED' } });
      expect(metricValue((await send(t.adminUrl, '/metrics')).text, 'edge_flags_ready', { source: 'starting' })).toBe(0);
      status = { ready: true, source: 'snapshot' };
      expect((await send(t.adminUrl, '/ready')).json()).toEqual({ status: 'ready', flags: 'snapshot' });
    } finally {
      await t.close();
      await legacy.close();
    }
  });

  it('is 200 with an explicit note when there are no flags at all, and routes everything to legacy', async () => {
    const [legacy, users] = await Promise.all([startFakeUpstream('legacy'), startFakeUpstream('users')]);
    const dir = mkdtempSync(join(tmpdir(), 'edge-ready-'));
    const flags = createUnleashFlagEvaluator({
      url: `${await refusedUrl()}/api`,
      appName: 'strangler-edge',
      refreshIntervalMs: 1000,
      snapshotFile: snapshotFileFor(dir, 'strangler-edge'),
      logger: createLogger({ name: 'edge-test', level: 'silent' }),
    });
    const t = await startTestEdge({ legacy: legacy.url, users: users.url, catalog: users.url, flags });
    try {
      const ready = await send(t.adminUrl, '/ready');
      expect(ready.status).toBe(200);
      expect(ready.json()).toEqual({ status: 'ready', flags: 'none', note: 'no flags: all legacy' });
      expect((await send(t.url, '/api/users/1')).headers['x-strangler-backend']).toBe('legacy');
      expect(users.received).toEqual([]);
    } finally {
      await t.close();
      await flags.close();
      await Promise.all([legacy.close(), users.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('routes by the snapshot when Unleash is unreachable at start', async () => {
    const [legacy, users, catalog] = await Promise.all([startFakeUpstream('legacy'), startFakeUpstream('users'), startFakeUpstream('catalog')]);
    const dir = mkdtempSync(join(tmpdir(), 'edge-ready-'));
    const file = snapshotFileFor(dir, 'strangler-edge');
    writeFileSync(
      file,
      JSON.stringify({
        version: 2,
        segments: [],
        features: [
          { name: 'catalog.reads', enabled: true, strategies: [{ name: 'default', parameters: {} }] },
          {
            name: 'users.reads',
            enabled: true,
            strategies: [{ name: 'flexibleRollout', parameters: { rollout: '100', stickiness: 'default', groupId: 'users.reads' } }],
          },
        ],
      }),
    );
    const flags = createUnleashFlagEvaluator({
      url: `${await refusedUrl()}/api`,
      appName: 'strangler-edge',
      refreshIntervalMs: 1000,
      snapshotFile: file,
      logger: createLogger({ name: 'edge-test', level: 'silent' }),
    });
    const t = await startTestEdge({ legacy: legacy.url, users: users.url, catalog: catalog.url, flags });
    try {
      await flags.ready;
      expect((await send(t.adminUrl, '/ready')).json()).toEqual({ status: 'ready', flags: 'snapshot' });
      expect((await send(t.url, '/api/products/1')).headers['x-strangler-backend']).toBe('catalog');
      // Anonymous visitors are in a 100 % rollout through their sid (stickiness "default" reads userId first).
      expect((await send(t.url, '/api/users/1')).headers['x-strangler-backend']).toBe('users');
      expect((await send(t.url, '/api/users/1', { headers: { authorization: `Bearer ${await issueToken(3)}` } })).headers['x-strangler-backend']).toBe('users');
      expect((await send(t.url, '/api/users/1/orders')).headers['x-strangler-backend']).toBe('legacy');
    } finally {
      await t.close();
      await flags.close();
      await Promise.all([legacy.close(), users.close(), catalog.close()]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A legacy that holds each request until the test releases it, and says when one has arrived. */
async function holdingLegacy() {
  let arrived!: () => void;
  const arrival = new Promise<void>((resolve) => (arrived = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrived();
      void released.then(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"backend":"legacy"}'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrival,
    release,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('graceful close', () => {
  it('lets an in-flight request finish, tells keep-alive clients to go, and stops listening', async () => {
    const legacy = await holdingLegacy();
    const t = await startTestEdge({ legacy: legacy.url, users: legacy.url, catalog: legacy.url });
    const agent = new http.Agent({ keepAlive: true });
    try {
      const inFlight = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        http
          .get(`${t.url}/api/orders/1`, { agent }, (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
          })
          .on('error', reject);
      });
      // In flight: through the edge and held at legacy. Closing now must let it finish.
      await legacy.arrival;
      // The drain's force-close bound, not a wait: generous, so a loaded machine's slow proxying is not cut short.
      const closed = t.edge.close({ timeoutMs: 30_000 });
      legacy.release();
      const reply = await inFlight;
      expect(reply).toEqual({ status: 200, connection: 'close' });
      await closed;
      expect(t.edge.server.listening).toBe(false);
      expect(t.edge.adminServer.listening).toBe(false);
    } finally {
      agent.destroy();
      await legacy.close();
    }
  });
});
