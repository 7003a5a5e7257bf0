import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { createHttpApp } from './http.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { ConflictError, NotFoundError } from './errors.js';
import { parseInput } from './validation.js';

function buildApp(readiness: () => Promise<void> = async () => {}) {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      callback();
    },
  });
  const logger = createLogger({ name: 'test', level: 'info', destination });
  const app = createHttpApp({
    logger,
    metrics: createMetrics({ service: 'test', collectDefaults: false }),
    bodyLimit: '1kb',
    readiness,
    routes(router) {
      router.post('/echo', (req, res) => {
        const body = parseInput(z.object({ name: z.string().min(1) }).strict(), req.body);
        logger.info('echoing');
        res.status(201).json(body);
      });
      router.get('/things/:id', () => {
        throw new NotFoundError('No such thing', 'THING_NOT_FOUND');
      });
      router.get('/conflict', async () => {
        throw new ConflictError('Already there', 'ALREADY_THERE');
      });
      const nested = express.Router();
      nested.get('/:id/parts', () => {
        throw new NotFoundError('No such part', 'PART_NOT_FOUND');
      });
      router.use('/api/widgets', nested);
      router.get('/boom', () => {
        throw new Error('secret internals');
      });
    },
  });
  return { app, lines };
}

describe('createHttpApp', () => {
  it('serves liveness, readiness and Prometheus metrics', async () => {
    const { app } = buildApp();
    expect((await request(app).get('/health')).body).toEqual({ status: 'ok' });
    expect((await request(app).get('/ready')).body).toEqual({ status: 'ready' });
    await request(app).get('/things/1');
    const metrics = await request(app).get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/things\/:id"[^}]*status="404"/);
  });

  it('labels metrics of a mounted router with the full route pattern, also when the request ended in an error', async () => {
    const { app } = buildApp();
    await request(app).get('/api/widgets/7/parts');
    await request(app).get('/api/widgets/8/parts?x=1');
    const metrics = await request(app).get('/metrics');
    expect(metrics.text).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/api\/widgets\/:id\/parts"[^}]*\} 2/);
    expect(metrics.text).not.toMatch(/route="\/:id\/parts"/);
  });

  it('answers 503 NOT_READY when a dependency is down, and DRAINING while shutting down', async () => {
    const { app } = buildApp(async () => {
      throw new Error('db down');
    });
    const notReady = await request(app).get('/ready');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toEqual({ error: { code: 'NOT_READY', message: 'A dependency is unreachable' } });
    app.locals.draining = true;
    expect((await request(app).get('/ready')).body.error.code).toBe('DRAINING');
  });

  it('keeps a well-formed inbound request id, replaces a malformed one, and logs it on every line', async () => {
    const { app, lines } = buildApp();
    const kept = await request(app).post('/echo').set('x-request-id', 'abc-123').send({ name: 'x' });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    expect(lines.filter((line) => line.reqId === 'abc-123').map((line) => line.msg)).toEqual(['echoing', 'request completed']);
    const replaced = await request(app).get('/health').set('x-request-id', 'bad id with spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['malformed JSON', '{"name":', 400, 'MALFORMED_JSON'],
    ['a body over the limit', JSON.stringify({ name: 'x'.repeat(2000) }), 413, 'PAYLOAD_TOO_LARGE'],
    ['an unknown field', JSON.stringify({ name: 'x', admin: true }), 400, 'VALIDATION_FAILED'],
    ['a wrong type', JSON.stringify({ name: 7 }), 400, 'VALIDATION_FAILED'],
  ])('turns %s into a JSON %i', async (_what, body, status, code) => {
    const { app } = buildApp();
    const response = await request(app).post('/echo').set('content-type', 'application/json').send(body);
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(typeof response.body.error.message).toBe('string');
  });

  it('renders typed errors with their status and code', async () => {
    const { app } = buildApp();
    expect((await request(app).get('/things/9')).body).toEqual({ error: { code: 'THING_NOT_FOUND', message: 'No such thing' } });
    const conflict = await request(app).get('/conflict');
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('ALREADY_THERE');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const { app } = buildApp();
    const response = await request(app).delete('/nowhere');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('hides unexpected errors behind a 500 INTERNAL_ERROR and logs them', async () => {
    const { app, lines } = buildApp();
    const response = await request(app).get('/boom');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
    expect(JSON.stringify(response.body)).not.toMatch(/secret internals/);
    expect(lines.some((line) => line.msg === 'unhandled error' && line.level === 'error')).toBe(true);
  });
});
