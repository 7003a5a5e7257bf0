import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { createHttpApp } from './http.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { serve } from './server.js';

function get(port: number, path: string, agent?: http.Agent): Promise<{ status: number; body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
  });
}

describe('serve + graceful shutdown', () => {
  it('finishes in-flight requests, refuses new connections, then runs the closers', async () => {
    let slowStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (slowStarted = resolve));
    let releaseSlow: () => void = () => {};
    const released = new Promise<void>((resolve) => (releaseSlow = resolve));
    const app = createHttpApp({
      logger: createLogger({ name: 'test', level: 'silent' }),
      metrics: createMetrics({ service: 'test', collectDefaults: false }),
      bodyLimit: '1kb',
      readiness: async () => {},
      routes(router) {
        router.get('/slow', async (_req, res) => {
          slowStarted();
          await released;
          res.json({ done: true });
        });
      },
    });
    const closed: string[] = [];
    const running = await serve({
      app,
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({ name: 'test', level: 'silent' }),
      shutdownTimeoutMs: 5000,
      closers: [async () => void closed.push('db')],
      handleSignals: false,
    });
    const inFlight = get(running.port, '/slow');
    await started;
    const shutdown = running.shutdown('test');
    // New connections are refused once shutdown has begun; the pool stays open for the in-flight request.
    await expect(get(running.port, '/health')).rejects.toThrow(/ECONNREFUSED/);
    expect(closed).toEqual([]);
    releaseSlow();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ done: true });
    expect(response.connection).toBe('close');
    await shutdown;
    expect(closed).toEqual(['db']);
  });

  it('closes connections still open when the drain timeout passes', async () => {
    let foreverStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (foreverStarted = resolve));
    const app = createHttpApp({
      logger: createLogger({ name: 'test', level: 'silent' }),
      metrics: createMetrics({ service: 'test', collectDefaults: false }),
      bodyLimit: '1kb',
      readiness: async () => {},
      routes(router) {
        router.get('/forever', () => {
          foreverStarted();
          // never answers
        });
      },
    });
    const running = await serve({
      app,
      host: '127.0.0.1',
      port: 0,
      logger: createLogger({ name: 'test', level: 'silent' }),
      shutdownTimeoutMs: 200,
      handleSignals: false,
    });
    const hanging = get(running.port, '/forever').catch((error: Error) => error.message);
    // The request is in the server before shutdown begins (else it is refused, not reset).
    await started;
    // Without the drain timeout this never resolves (the test times out): no wall-clock bound needed.
    await running.shutdown('test');
    expect(await hanging).toMatch(/socket hang up|ECONNRESET/);
  });
});
