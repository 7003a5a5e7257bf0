import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SignJWT } from 'jose';
import { createLogger, type Env } from '@strangler/platform';
import { loadEdgeConfig, type EdgeConfig } from '../config.js';
import { createFakeFlagEvaluator, type FakeFlagEvaluator } from '../flags/fake-flag-evaluator.js';
import type { FlagEvaluator, FlagStatus } from '../flags/flag-evaluator.js';
import { createEdge, type Edge } from '../proxy/create-edge-server.js';
import { loadRouteTable } from '../routes/route-table.js';

export const TEST_JWT_SECRET = 'test-secret-that-is-at-least-32-characters-long';
export const TEST_JWT_ISSUER = 'strangler-legacy';

/** A login token as the monolith issues it (HS256, sub = user id). */
export async function issueToken(
  userId: number,
  options: { secret?: string; issuer?: string; expiresIn?: string | number } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(userId))
    .setIssuer(options.issuer ?? TEST_JWT_ISSUER)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

export interface TestEdge {
  edge: Edge;
  config: EdgeConfig;
  flags: FakeFlagEvaluator | (FlagEvaluator & { status?: () => FlagStatus });
  url: string;
  port: number;
  adminUrl: string;
  /** Every JSON log line the edge wrote. */
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export interface TestEdgeOptions {
  legacy: string;
  users: string;
  catalog: string;
  /** Config overrides (env var names); tests default to no rate limit, no access log and no hedging. */
  env?: Env;
  flags?: FlagEvaluator & { status?: () => FlagStatus };
}

/** The real edge wired like server.ts (the route table of the real slice manifests, targets overridden) on ephemeral ports. */
export async function startTestEdge(options: TestEdgeOptions): Promise<TestEdge> {
  const config = loadEdgeConfig({
    JWT_SECRET: TEST_JWT_SECRET,
    RATE_LIMIT_RPS: '0',
    ACCESS_LOG: 'false',
    // Off unless a test is about it: on a loaded machine a fake upstream's hiccup would otherwise be hedged to
    // legacy, and tests that assert exactly which backend saw what would see an extra legacy request.
    HEDGE_ENABLED: 'false',
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const table = loadRouteTable(config.slicesDir, [
    { key: 'legacy', url: options.legacy },
    { key: 'users', url: options.users },
    { key: 'catalog', url: options.catalog },
  ]);
  const logs: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      callback();
    },
  });
  const logger = createLogger({ name: 'edge', level: config.logLevel, destination });
  const flags = options.flags ?? createFakeFlagEvaluator();
  const edge = createEdge({ config, table, flags, logger, collectDefaultMetrics: false });
  const listen = (server: http.Server) =>
    new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
  const port = await listen(edge.server);
  const adminPort = await listen(edge.adminServer);
  return {
    edge,
    config,
    flags,
    url: `http://127.0.0.1:${port}`,
    port,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    logs,
    close: () => edge.close({ timeoutMs: 1000 }),
  };
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** One request on a fresh connection (no pooling between tests' requests). */
export function send(
  baseUrl: string,
  path: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // Node's client sends DELETE/OPTIONS bodies without any framing unless Content-Length is given explicitly.
    const headers: OutgoingHttpHeaders = { ...options.headers };
    if (options.body !== undefined && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
      headers['content-length'] = Buffer.byteLength(options.body);
    }
    // host/port/path rather than a URL string: WHATWG parsing would normalise `..` away before the edge sees it.
    const base = new URL(baseUrl);
    const target = { host: base.hostname, port: Number(base.port), path };
    const req = http.request({ ...target, method: options.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Writes raw bytes (requests an HTTP client would refuse to send) and returns what came back before the edge closed
 * the connection, or after `waitMs`.
 */
export function sendRaw(port: number, payload: string | Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString('latin1'));
    };
    const timer = setTimeout(done, waitMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', done);
    socket.on('close', done);
    socket.write(payload);
  });
}

/** Status code of a raw HTTP response, or 0. */
export function rawStatus(response: string): number {
  return Number(/^HTTP\/1\.[01] (\d{3})/.exec(response)?.[1] ?? 0);
}

/** The JSON body of a raw HTTP response. */
export function rawJson(response: string): Record<string, unknown> {
  const at = response.indexOf('\r\n\r\n');
  return JSON.parse(response.slice(at + 4)) as Record<string, unknown>;
}

/** A sample of a counter/gauge from the Prometheus text format, or undefined. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    const matches = Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`));
    if (matches) return Number(line.slice(line.indexOf('}') + 1).trim());
  }
  return undefined;
}

/** The sum of every sample of a metric whose labels include `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const labelText = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([key, value]) => labelText.includes(`${key}="${value}"`))) {
      sum += Number(line.slice(line.indexOf('}') + 1).trim());
    }
  }
  return sum;
}

/** The real edge in front of three fake upstreams (legacy, users, catalog): what most edge e2e files start with. */
export async function startEdgeOnFakeUpstreams(
  options: Omit<TestEdgeOptions, 'legacy' | 'users' | 'catalog'>,
): Promise<{ edge: TestEdge; legacy: FakeUpstream; users: FakeUpstream; catalog: FakeUpstream }> {
  const [legacy, users, catalog] = await Promise.all([startFakeUpstream('legacy'), startFakeUpstream('users'), startFakeUpstream('catalog')]);
  const edge = await startTestEdge({ ...options, legacy: legacy.url, users: users.url, catalog: catalog.url });
  return { edge, legacy, users, catalog };
}
