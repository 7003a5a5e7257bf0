import { EventEmitter } from 'node:events';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '@strangler/platform';
import { refusedUrl } from '../testing/fake-upstream.js';
import type { FlagProvider } from './flag-evaluator.js';
import { snapshotFileFor } from './snapshot-storage.js';
import { createUnleashFlagEvaluator } from './unleash-flag-evaluator.js';

/** unleash-client's backup format: what its FileStorageProvider (and ours) write after each fetch. */
function snapshot(features: unknown[]) {
  return { version: 2, features, segments: [] };
}

const halfOfUsers = {
  name: 'users.reads',
  enabled: true,
  strategies: [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'userId', groupId: 'users.reads' } }],
};
const everyone = { name: 'catalog.reads', enabled: true, strategies: [{ name: 'default', parameters: {} }] };
const switchedOff = { name: 'orders.reads', enabled: false, strategies: [{ name: 'default', parameters: {} }] };

const silent = createLogger({ name: 'edge-test', level: 'silent' });

interface ErrorEvent {
  error: unknown;
  /** The emit threw: nobody listened, so the error escaped into whatever emitted it (inside unleash-client, a fetch). */
  threw: boolean;
}

/**
 * Records every 'error' event any emitter in this process emits until restored. unleash-client reports a failed
 * fetch only as an 'error' event (fetcher → repository → client), so this is how a test sees, without a clock,
 * that the fetch it waits for has failed and been reported.
 */
function watchErrorEvents() {
  const seen: ErrorEvent[] = [];
  const emit = EventEmitter.prototype.emit;
  const spy = vi.spyOn(EventEmitter.prototype, 'emit').mockImplementation(function (this: EventEmitter, event: unknown, ...args: unknown[]) {
    if (event !== 'error') return emit.call(this, event, ...args);
    try {
      const listened = emit.call(this, event, ...args);
      seen.push({ error: args[0], threw: false });
      return listened;
    } catch (error) {
      seen.push({ error: args[0], threw: true });
      throw error;
    }
  });
  return {
    matching: (pattern: RegExp) => seen.filter(({ error }) => error instanceof Error && pattern.test(error.message)),
    restore: () => spy.mockRestore(),
  };
}

/** One turn of the event loop: a rejection left unhandled by what just ran has been reported by then. */
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

const keys = Array.from({ length: 1000 }, (_, i) => `key-${i}`);

describe('createUnleashFlagEvaluator without a reachable Unleash', () => {
  let dir: string;
  let file: string;
  const open: FlagProvider[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'edge-flags-'));
    file = snapshotFileFor(dir, 'strangler-edge');
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((provider) => provider.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(overrides: { url?: string } = {}): Promise<FlagProvider> {
    const provider = createUnleashFlagEvaluator({
      url: overrides.url ?? `${await refusedUrl()}/api`,
      appName: 'strangler-edge',
      refreshIntervalMs: 1000,
      requestTimeoutMs: 1000,
      snapshotFile: file,
      logger: silent,
    });
    open.push(provider);
    return provider;
  }

  it('evaluates the last known flags from the snapshot file', async () => {
    writeFileSync(file, JSON.stringify(snapshot([halfOfUsers, everyone, switchedOff])));
    const flags = await start();

    expect(await flags.ready).toEqual({ ready: true, source: 'snapshot' });
    expect(flags.isEnabled('catalog.reads', { userId: 'anyone', sessionId: 'anyone' })).toBe(true);
    expect(flags.isEnabled('orders.reads', { userId: 'anyone', sessionId: 'anyone' })).toBe(false);
    expect(flags.isEnabled('no.such.flag', { userId: 'anyone', sessionId: 'anyone' })).toBe(false);
    const enabled = keys.filter((key) => flags.isEnabled('users.reads', { userId: key, sessionId: key }));
    expect(enabled.length).toBeGreaterThan(400);
    expect(enabled.length).toBeLessThan(600);
  });

  it('makes the same decision for the same key in every instance (flexibleRollout is a hash, not a coin)', async () => {
    writeFileSync(file, JSON.stringify(snapshot([halfOfUsers])));
    const a = await start();
    const b = await start();
    await Promise.all([a.ready, b.ready]);
    const decisionsA = keys.map((key) => a.isEnabled('users.reads', { userId: key, sessionId: key }));
    const decisionsB = keys.map((key) => b.isEnabled('users.reads', { userId: key, sessionId: key }));
    expect(decisionsA).toEqual(decisionsB);
    // And in one instance over time.
    expect(keys.map((key) => a.isEnabled('users.reads', { userId: key, sessionId: key }))).toEqual(decisionsA);
    expect(decisionsA.some(Boolean) && !decisionsA.every(Boolean)).toBe(true);
  });

  it('is ready at once with every flag off when there is no snapshot: all legacy', async () => {
    const errors = watchErrorEvents();
    try {
      const flags = await start();
      let loaded = false;
      void flags.ready.then(() => (loaded = true));
      expect(flags.status()).toEqual({ ready: true, source: 'none', note: 'no flags: all legacy' });
      expect(flags.isEnabled('catalog.reads', { userId: 'anyone', sessionId: 'anyone' })).toBe(false);
      // Nothing was loaded, so `ready` (flags loaded) has not resolved: not at once, and not once the client's first
      // fetch has failed (after unleash-client's own retries), the only other way flags could have arrived.
      await vi.waitFor(() => expect(errors.matching(/client\/features.*ECONNREFUSED/)).not.toEqual([]), { timeout: 20_000, interval: 20 });
      await nextTurn();
      expect(loaded).toBe(false);
      expect(flags.status()).toMatchObject({ ready: true, source: 'none' });
    } finally {
      errors.restore();
    }
  });

  it('leaves no unhandled rejection behind when closed with a failing fetch in flight', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    // An Unleash that takes the client's first fetch and holds it until the test answers it.
    let held!: (res: http.ServerResponse) => void;
    const inFlight = new Promise<http.ServerResponse>((resolve) => (held = resolve));
    const server = http.createServer((req, res) => {
      req.resume();
      held(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const errors = watchErrorEvents();
    process.on('unhandledRejection', record);
    try {
      const flags = await start({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` });
      const response = await inFlight;
      await flags.close();
      // Fails the fetch after close (a 400 is not retried): unleash-client reports it on its repository, whose own
      // listeners close() removed.
      response.writeHead(400).end();
      await vi.waitFor(() => expect(errors.matching(/but was 400/)).not.toEqual([]), { timeout: 20_000, interval: 20 });
      await nextTurn();
      expect(errors.matching(/but was 400/).filter((event) => event.threw)).toEqual([]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
      errors.restore();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it.each([
    ['an empty file', ''],
    ['a snapshot without features', JSON.stringify(snapshot([]))],
    ['a corrupt file', '{"features": ['],
  ])('treats %s as no flags', async (_name, content) => {
    writeFileSync(file, content);
    const flags = await start();
    expect(flags.status()).toMatchObject({ ready: true, source: 'none' });
    expect(flags.isEnabled('catalog.reads', { userId: 'a', sessionId: 'a' })).toBe(false);
  });
});

describe('createUnleashFlagEvaluator against an Unleash-compatible client API', () => {
  let dir: string;
  let server: http.Server;
  let features: unknown[];
  let requests: Array<{ url: string; authorization: string | undefined; appName: string | undefined }>;
  let url: string;
  const open: FlagProvider[] = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-flags-'));
    features = [everyone];
    requests = [];
    // The one endpoint a polling client uses: GET <api>/client/features.
    server = http.createServer((req, res) => {
      requests.push({ url: req.url ?? '', authorization: req.headers.authorization, appName: req.headers['unleash-appname'] as string | undefined });
      if (req.method === 'GET' && req.url?.startsWith('/api/client/features')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ version: 2, features }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((provider) => provider.close()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  function start(serverUrl: string): FlagProvider {
    const provider = createUnleashFlagEvaluator({
      url: serverUrl,
      clientToken: 'default:development.test-token',
      appName: 'strangler-edge',
      instanceId: 'edge-test-1',
      refreshIntervalMs: 200,
      requestTimeoutMs: 1000,
      snapshotFile: snapshotFileFor(dir, 'strangler-edge'),
      logger: silent,
    });
    open.push(provider);
    return provider;
  }

  it('synchronizes, follows changes within the refresh interval, and writes the snapshot', async () => {
    const flags = start(url);
    expect(await flags.ready).toEqual({ ready: true, source: 'unleash' });
    expect(requests[0]).toMatchObject({ url: '/api/client/features', authorization: 'default:development.test-token', appName: 'strangler-edge' });
    expect(flags.isEnabled('catalog.reads', { userId: 'u', sessionId: 'u' })).toBe(true);

    features = [{ ...everyone, enabled: false }];
    await expect.poll(() => flags.isEnabled('catalog.reads', { userId: 'u', sessionId: 'u' }), { timeout: 3000, interval: 50 }).toBe(false);

    const file = snapshotFileFor(dir, 'strangler-edge');
    await expect.poll(() => existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { features: Array<{ enabled: boolean }> }).features[0]?.enabled, { timeout: 3000 }).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ version: 2, features: [{ name: 'catalog.reads' }], segments: [] });
  });

  it('starts from the snapshot a previous run wrote when Unleash is down', async () => {
    features = [everyone, halfOfUsers];
    const first = start(url);
    await first.ready;
    const decisions = keys.map((key) => first.isEnabled('users.reads', { userId: key, sessionId: key }));
    await expect.poll(() => existsSync(snapshotFileFor(dir, 'strangler-edge')), { timeout: 3000 }).toBe(true);
    await first.close();

    const second = start(`${await refusedUrl()}/api`);
    expect(await second.ready).toEqual({ ready: true, source: 'snapshot' });
    expect(second.isEnabled('catalog.reads', { userId: 'u', sessionId: 'u' })).toBe(true);
    expect(keys.map((key) => second.isEnabled('users.reads', { userId: key, sessionId: key }))).toEqual(decisions);
  });
});
