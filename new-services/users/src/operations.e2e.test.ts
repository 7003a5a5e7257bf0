import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createLogger, createMetrics } from '@strangler/platform';
import { createApp } from './app.js';
import { createTestApp, type TestApp } from './testing/test-app.js';

/** The platform's operational surface, as the monolith has it: /health, /ready, /metrics, request ids, JSON logs. */
describe('operational endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp('users_svc_ops');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('/health is alive and /ready pings the database', async () => {
    expect((await request(t.app).get('/health')).body).toEqual({ status: 'ok' });
    const ready = await request(t.app).get('/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('/ready answers 503 NOT_READY when the database is unreachable, and 503 DRAINING while shutting down', async () => {
    const app = createApp({
      logger: createLogger({ name: 'users-test', level: 'silent' }),
      metrics: createMetrics({ service: 'users-test', collectDefaults: false }),
      bodyLimit: '100kb',
      readiness: () => Promise.reject(new Error('connect ECONNREFUSED')),
      services: t.services,
    });
    const down = await request(app).get('/ready');
    expect(down.status).toBe(503);
    expect(down.body).toEqual({ error: { code: 'NOT_READY', message: expect.any(String) } });
    app.locals.draining = true;
    expect((await request(app).get('/ready')).body).toEqual({ error: { code: 'DRAINING', message: 'Shutting down' } });
  });

  it('/metrics exposes request latency by route pattern', async () => {
    await request(t.app).get('/api/users/12345');
    const metrics = await request(t.app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    // A route pattern, never the raw id (bounded label set). (The platform currently drops the mount prefix: "/:id".)
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{[^}]*method="GET",route="[^"]*\/:id",status="404"\} 1/);
    expect(metrics.text).not.toContain('12345');
  });

  it('keeps a well-formed inbound x-request-id, makes one otherwise, and logs it as JSON with every request', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...String(chunk).trim().split('\n'));
        done();
      },
    });
    const app = createApp({
      logger: createLogger({ name: 'users', level: 'info', destination }),
      metrics: createMetrics({ service: 'users', collectDefaults: false }),
      bodyLimit: '100kb',
      readiness: async () => {},
      services: t.services,
    });
    const kept = await request(app).get('/api/users/1').set('x-request-id', 'edge-abc.123');
    expect(kept.headers['x-request-id']).toBe('edge-abc.123');
    const made = await request(app).get('/health').set('x-request-id', 'not valid!');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);

    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(
      expect.objectContaining({ service: 'users', level: 'info', reqId: 'edge-abc.123', method: 'GET', url: '/api/users/1', status: 404, msg: 'request completed' }),
    );
    expect(entries).toContainEqual(expect.objectContaining({ reqId: made.headers['x-request-id'], url: '/health', status: 200 }));
  });
});
