import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest } from './db/migrations.js';

const serviceDir = fileURLToPath(new URL('..', import.meta.url));

interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Starts src/server.ts exactly as `npm start -w new-services/catalog` does. */
function start(env: Record<string, string>): Started {
  let output = '';
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'src/server.ts'], {
    cwd: serviceDir,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += String(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => (output += String(chunk)));
  return { child, output: () => output };
}

function logLines(output: string): Array<Record<string, unknown>> {
  return output
    .trim()
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Each test starts `node --import tsx` processes: on a loaded 2-core machine one takes 10-20 s to start, so the
// 30 s default test timeout is too tight (the processes' own limits still bound each run).
describe('catalog server process', { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('catalog_server');
    await migrateToLatest(database.db);
    env = {
      DB_HOST: database.connection.host,
      DB_PORT: String(database.connection.port),
      DB_USER: database.connection.user,
      DB_PASSWORD: database.connection.password,
      DB_NAME: database.connection.database,
      PORT: '0',
      LOG_LEVEL: 'info',
    };
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await database.drop();
  });

  it('serves with JSON logs carrying the request id, is ready, exposes metrics, and exits 0 on SIGTERM', async () => {
    const server = start(env);
    children.push(server.child);
    const listening = await waitFor(
      () => (server.output().includes('"listening"') ? logLines(server.output()).find((line) => line.msg === 'listening') : undefined),
      `the listening log line (output so far: ${server.output()})`,
    );
    expect(listening).toMatchObject({ level: 'info', service: 'catalog', host: '127.0.0.1', port: expect.any(Number) });
    const base = `http://127.0.0.1:${listening.port as number}`;

    expect(await (await fetch(`${base}/health`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });

    const created = await fetch(`${base}/api/products`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'catalog-e2e-1' },
      body: JSON.stringify({ sku: 'SRV-1', name: 'Served', price: { amountMinor: 100, currency: 'EUR' } }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-request-id')).toBe('catalog-e2e-1');
    const listed = await fetch(`${base}/api/products?q=srv`);
    expect(((await listed.json()) as { total: number }).total).toBe(1);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('http_request_duration_seconds_count{service="catalog",method="POST",route="/api/products/",status="201"} 1');
    expect(metrics).toMatch(/process_cpu_user_seconds_total\{service="catalog"\}/);

    const access = await waitFor(
      () => logLines(server.output()).find((line) => line.msg === 'request completed' && line.reqId === 'catalog-e2e-1'),
      'the access log line',
    );
    expect(access).toMatchObject({ method: 'POST', url: '/api/products', status: 201, service: 'catalog' });

    server.child.kill('SIGTERM');
    const [code] = (await once(server.child, 'close')) as [number | null];
    expect(code).toBe(0);
    // Every line is one JSON object.
    const lines = logLines(server.output());
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['shutting down: draining in-flight requests', 'shutdown complete']));
  });

  it('reports not ready while its database is unreachable, live all the same', async () => {
    const server = start({ ...env, DB_PASSWORD: 'not-the-password' });
    children.push(server.child);
    const listening = await waitFor(
      () => (server.output().includes('"listening"') ? logLines(server.output()).find((line) => line.msg === 'listening') : undefined),
      'the listening log line',
    );
    const base = `http://127.0.0.1:${listening.port as number}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ error: { code: 'NOT_READY', message: 'A dependency is unreachable' } });
    server.child.kill('SIGTERM');
    expect((await once(server.child, 'close'))[0]).toBe(0);
  });

  it('refuses to start on an invalid configuration, listing every problem, exit 1', async () => {
    const server = start({ ...env, PORT: 'eighty', DB_POOL_MAX: '0', LOG_LEVEL: 'loud' });
    children.push(server.child);
    const [code] = (await once(server.child, 'close')) as [number | null];
    expect(code).toBe(1);
    expect(server.output()).toContain('Invalid configuration:');
    expect(server.output()).toContain('PORT="eighty" is invalid');
    expect(server.output()).toContain('DB_POOL_MAX="0" is invalid');
    expect(server.output()).toContain('LOG_LEVEL="loud" is invalid');
    expect(server.output()).not.toContain('    at ');
  });
});
