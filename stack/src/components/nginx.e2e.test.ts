import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunContext } from '../component.js';
import { inheritedEnv, loadStackConfig, REPO_ROOT } from '../config.js';
import { stackPaths, type StackComponent, type StackContext } from '../context.js';
import { Orchestrator } from '../orchestrator.js';
import { freePort } from '@strangler/testkit/ports';
import { isPortOpen } from '../ports.js';
import { isAlive, waitUntil, type ManagedProcess } from '../processes.js';
import { isNginxHealthy, nginxFrontDoor, nginxPaths, prepareNginx, processGroupMembers } from './nginx.js';

/**
 * The real nginx, rendered from nginx/nginx.conf.template and run through the component, in front of two tiny
 * HTTP servers standing in for the edge proxy and the legacy monolith (each answers with its name and echoes
 * what it received).
 */
interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Which TCP connection it came on (1, 2, …), to see upstream keep-alive. */
  connection: number;
}

interface FakeUpstream {
  name: string;
  port: number;
  seen: Seen[];
  stop(): Promise<void>;
}

/** Requests to `dropPrefix` are received, then the connection is cut before any answer (a crash mid-request). */
async function fakeUpstream(name: string, dropPrefix: string): Promise<FakeUpstream> {
  const seen: Seen[] = [];
  const connections = new WeakMap<Socket, number>();
  let opened = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, connection: connections.get(req.socket) ?? 0 };
      seen.push(entry);
      if (entry.url.startsWith(dropPrefix)) {
        req.socket.destroy();
        return;
      }
      res.setHeader('content-type', 'application/json');
      // Like the services (platform/src/http.ts): echo the inbound id.
      if (typeof req.headers['x-request-id'] === 'string') res.setHeader('x-request-id', req.headers['x-request-id']);
      res.end(JSON.stringify({ server: name, ...entry }));
    });
  });
  server.on('connection', (socket: Socket) => connections.set(socket, ++opened));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    port,
    seen,
    stop: () =>
      new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
  json<T = { server: string } & Seen>(): T;
}

function request(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; agent?: http.Agent } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: options.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, json: <T>() => JSON.parse(body) as T }),
      );
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function context(stackDir: string, ports: { nginx: number; edge: number; legacy: number }): StackContext {
  const config = loadStackConfig({
    STACK_DIR: stackDir,
    NGINX_PORT: String(ports.nginx),
    EDGE_PORT: String(ports.edge),
    LEGACY_PORT: String(ports.legacy),
    STACK_STOP_GRACE_MS: '5000',
  });
  return { config, paths: stackPaths(config.stackDir), secrets: {}, baseEnv: inheritedEnv(process.env), repoRoot: REPO_ROOT };
}

const readRequestIds = (reply: Reply) => reply.rawHeaders.filter((_, i, all) => i % 2 === 0 && all[i]?.toLowerCase() === 'x-request-id');

describe('nginx front door (real nginx, through the launcher)', () => {
  // Stand-ins for what nginx starts after; the real upstreams here are the fake servers below.
  const legacyStub: StackComponent = { name: 'legacy' };
  const edgeStub: StackComponent = { name: 'edge' };
  let dir: string;
  let edge: FakeUpstream;
  let legacy: FakeUpstream;
  let ctx: StackContext;
  let orchestrator: Orchestrator<StackContext>;
  let nginx: ManagedProcess;
  let port: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nginx-e2e-'));
    edge = await fakeUpstream('edge', '/drop');
    legacy = await fakeUpstream('legacy', '/legacy-drop');
    port = await freePort();
    ctx = context(join(dir, 'stack'), { nginx: port, edge: edge.port, legacy: legacy.port });
    orchestrator = new Orchestrator([legacyStub, edgeStub, nginxFrontDoor], ctx, { update: () => undefined }, { healthTimeoutMs: 10_000, stopGraceMs: 5_000 });
    const started = await orchestrator.start();
    nginx = started.find((s) => s.name === 'nginx')?.process as ManagedProcess;
  });

  afterAll(async () => {
    await orchestrator?.stop();
    await edge?.stop();
    await legacy?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders the config under <STACK_DIR>/nginx and answers its health check itself', async () => {
    const paths = nginxPaths(join(ctx.config.stackDir, 'nginx'));
    expect(readFileSync(paths.configFile, 'utf8')).toContain(`listen 127.0.0.1:${port} default_server;`);
    expect(readFileSync(paths.pidFile, 'utf8').trim()).toBe(String(nginx.pid));
    const health = await request(port, '/nginx-health');
    expect(health.status).toBe(200);
    expect(health.body).toBe('ok\n');
    expect(edge.seen.concat(legacy.seen).filter((s) => s.url === '/nginx-health')).toEqual([]);
  });

  it('proxies to the edge with forwarded headers and one request id end to end', async () => {
    // A client cannot forge where it comes from: nginx is the outermost hop.
    const reply = await request(port, '/api/products?page=2', { headers: { 'X-Forwarded-For': '203.0.113.9', Host: 'shop.example:8080' } });
    expect(reply.status).toBe(200);
    const seen = reply.json();
    expect(seen.server).toBe('edge');
    expect(seen.url).toBe('/api/products?page=2');
    expect(seen.headers).toMatchObject({
      host: 'shop.example',
      'x-forwarded-for': '127.0.0.1',
      'x-real-ip': '127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'shop.example',
      'x-forwarded-port': String(port),
    });
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(seen.headers.connection).toBeUndefined();
    expect(readRequestIds(reply)).toHaveLength(1);
    expect(reply.headers['x-request-id']).toBe(seen.headers['x-request-id']);
    expect(reply.headers.server).toBe('nginx');

    // A well-formed inbound id is kept; anything else is replaced.
    const kept = await request(port, '/a', { headers: { 'X-Request-Id': 'client-id.42' } });
    expect(kept.json().headers['x-request-id']).toBe('client-id.42');
    expect(kept.headers['x-request-id']).toBe('client-id.42');
    const replaced = await request(port, '/a', { headers: { 'X-Request-Id': 'x'.repeat(129) } });
    expect(replaced.json().headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps upstream connections alive across requests', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const before = edge.seen.length;
    for (let i = 0; i < 20; i += 1) expect((await request(port, `/keepalive/${i}`, { agent })).status).toBe(200);
    agent.destroy();
    const requests = edge.seen.slice(before);
    expect(requests).toHaveLength(20);
    const connections = new Set(requests.map((s) => s.connection));
    // Sequential requests on one client connection are served by one worker, over one pooled upstream connection.
    expect(connections.size).toBeLessThanOrEqual(2);
  });

  it('rejects an oversized body (413) and oversized headers (431) without bothering the upstreams', async () => {
    const before = edge.seen.length + legacy.seen.length;
    const tooBig = await request(port, '/api/products', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(2 * 1024 * 1024, 'a'),
    });
    expect(tooBig.status).toBe(413);
    expect(tooBig.json()).toEqual({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' } });

    const hugeHeader = await request(port, '/api/products', { headers: { 'X-Big': 'b'.repeat(16 * 1024) } });
    expect([400, 431]).toContain(hugeHeader.status);
    expect(hugeHeader.json()).toMatchObject({ error: { code: 'HEADERS_TOO_LARGE' } });

    const manyHeaders = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`X-Many-${i}`, 'm'.repeat(7 * 1024)]));
    expect([400, 431]).toContain((await request(port, '/api/products', { headers: manyHeaders })).status);

    // Just under the limits passes.
    const fits = await request(port, '/api/products', { method: 'POST', body: Buffer.alloc(512 * 1024, 'a'), headers: { 'X-Big': 'b'.repeat(6 * 1024) } });
    expect(fits.status).toBe(200);
    expect(fits.json().body).toHaveLength(512 * 1024);
    expect(edge.seen.length + legacy.seen.length).toBe(before + 1);
  });

  it('never replays a POST the edge received on legacy; an idempotent GET is retried there', async () => {
    const post = await request(port, '/drop/order', { method: 'POST', body: '{"items":[]}', headers: { 'content-type': 'application/json' } });
    expect(post.status).toBe(502);
    expect(post.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE' } });
    expect(edge.seen.filter((s) => s.url === '/drop/order')).toHaveLength(1);
    expect(legacy.seen.filter((s) => s.url === '/drop/order')).toHaveLength(0);

    const get = await request(port, '/drop/product');
    expect(get.status).toBe(200);
    expect(get.json().server).toBe('legacy');
    expect(legacy.seen.filter((s) => s.url === '/drop/product')).toHaveLength(1);
  });

  it('serves from the legacy backup when the edge is down: no 5xx, no duplicated POST', async () => {
    await edge.stop();
    expect(await isPortOpen(edge.port)).toBe(false);
    const edgeSeen = edge.seen.length;

    for (let i = 0; i < 10; i += 1) {
      const reply = await request(port, `/api/products/${i}`);
      expect(reply.status, `GET ${i}`).toBe(200);
      expect(reply.json().server).toBe('legacy');
      expect(reply.json().headers['x-forwarded-for']).toBe('127.0.0.1');
    }

    // The edge never received it (connection refused), so it is passed on to legacy: exactly once.
    const order = await request(port, '/api/orders', { method: 'POST', body: '{"items":[{"productId":1,"quantity":1}]}', headers: { 'content-type': 'application/json', 'X-Request-Id': 'order-while-edge-down' } });
    expect(order.status).toBe(200);
    expect(order.json()).toMatchObject({ server: 'legacy', method: 'POST', body: '{"items":[{"productId":1,"quantity":1}]}' });
    expect(legacy.seen.filter((s) => s.headers['x-request-id'] === 'order-while-edge-down')).toHaveLength(1);
    expect(edge.seen.length).toBe(edgeSeen);

    // With nothing left to try, a failure of legacy itself is a 502, but never takes the last resort out of rotation.
    const failed = await request(port, '/legacy-drop');
    expect(failed.status).toBe(502);
    expect(legacy.seen.filter((s) => s.url === '/legacy-drop')).toHaveLength(1);
    expect((await request(port, '/api/products')).json().server).toBe('legacy');
  });

  it('stops gracefully: master and workers gone, port closed, access log written as JSON', async () => {
    const group = processGroupMembers(nginx.pid);
    expect(group).toContain(nginx.pid);
    expect(group.length).toBeGreaterThanOrEqual(2);

    await orchestrator.stop();

    expect(isAlive(nginx.pid)).toBe(false);
    expect(processGroupMembers(nginx.pid)).toEqual([]);
    expect(await isPortOpen(port)).toBe(false);
    const paths = nginxPaths(join(ctx.config.stackDir, 'nginx'));
    expect(existsSync(paths.pidFile)).toBe(false);

    const entries = readFileSync(paths.accessLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.find((e) => e.reqId === 'client-id.42')).toMatchObject({
      method: 'GET',
      uri: '/a',
      status: 200,
      upstreamAddr: `127.0.0.1:${edge.port}`,
      upstreamStatus: '200',
      requestTime: expect.any(Number),
      upstreamResponseTime: expect.stringMatching(/^\d+\.\d{3}$/),
    });
    expect(entries.find((e) => e.reqId === 'order-while-edge-down')).toMatchObject({ method: 'POST', status: 200, upstreamAddr: expect.stringContaining(`127.0.0.1:${legacy.port}`) });
    // The health check is not logged.
    expect(entries.some((e) => e.uri === '/nginx-health')).toBe(false);
  });
});

describe('nginx process handling', () => {
  let dir: string;
  let legacy: FakeUpstream;
  let ctx: StackContext;
  const started: ManagedProcess[] = [];
  const run = (stack: StackContext): RunContext<StackContext> => ({ stack, signal: new AbortController().signal, progress: () => undefined });

  async function startNginx(): Promise<ManagedProcess> {
    await nginxFrontDoor.prepare?.(run(ctx));
    const nginx = (await nginxFrontDoor.start?.(run(ctx))) as ManagedProcess;
    started.push(nginx);
    await waitUntil('nginx', () => isNginxHealthy(ctx.config.nginxPort), { timeoutMs: 10_000, process: nginx });
    return nginx;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nginx-proc-'));
    legacy = await fakeUpstream('legacy', '/legacy-drop');
    ctx = context(join(dir, 'stack'), { nginx: await freePort(), edge: await freePort(), legacy: legacy.port });
  });

  afterAll(async () => {
    for (const nginx of started) {
      if (processGroupMembers(nginx.pid).length > 0) process.kill(-nginx.pid, 'SIGKILL');
      await nginx.exited;
    }
    await legacy?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a master killed with SIGKILL leaves no worker serving', async () => {
    const nginx = await startNginx();
    const workers = processGroupMembers(nginx.pid).filter((pid) => pid !== nginx.pid);
    expect(workers.length).toBeGreaterThanOrEqual(1);
    process.kill(nginx.pid, 'SIGKILL');
    await nginx.exited;
    expect(processGroupMembers(nginx.pid)).toEqual([]);
    expect(await isPortOpen(ctx.config.nginxPort)).toBe(false);
  });

  it('the next start stops an nginx a crashed launcher left running', async () => {
    const leftover = await startNginx();
    expect((await request(ctx.config.nginxPort, '/x')).json().server).toBe('legacy');
    expect(await nginxFrontDoor.stopLeftovers?.(ctx)).toBe(true);
    await leftover.exited;
    expect(processGroupMembers(leftover.pid)).toEqual([]);
    expect(await isPortOpen(ctx.config.nginxPort)).toBe(false);
    expect(await nginxFrontDoor.stopLeftovers?.(ctx)).toBe(false);
  });

  it('a config nginx rejects fails prepare with nginx\'s own message', async () => {
    const template = join(dir, 'broken.conf.template');
    writeFileSync(template, `${readFileSync(join(REPO_ROOT, 'nginx', 'nginx.conf.template'), 'utf8')}\nno_such_directive on;\n`);
    const prefix = join(dir, 'broken');
    const rejected = prepareNginx({ prefix, port: ctx.config.nginxPort, edge: '127.0.0.1:1', legacy: '127.0.0.1:2', template, outputLog: join(dir, 'broken.log') });
    await expect(rejected).rejects.toThrow(/nginx rejected .*nginx\.conf:\n.*unknown directive "no_such_directive"/s);
  });
});
