import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@strangler/platform';
import type { FakeUpstream } from '../testing/fake-upstream.js';
import { startFakeUpstream } from '../testing/fake-upstream.js';
import { send, startTestEdge, type TestEdge } from '../testing/test-edge.js';
import type { FlagProvider } from './flag-evaluator.js';
import { snapshotFileFor } from './snapshot-storage.js';
import { createUnleashFlagEvaluator, UNREACHABLE_NOTE } from './unleash-flag-evaluator.js';

const REFRESH_MS = 200;

/**
 * An Unleash client API that can go away and come back on the same port: down (connections refused), restarting
 * (503 to every poll, as Unleash answers while it migrates), or serving `features`.
 */
async function startFakeUnleash() {
  let features: unknown[] = [];
  let mode: 'serving' | 'restarting' = 'serving';
  let polls = 0;
  const server = http.createServer((req, res) => {
    polls++;
    if (mode === 'restarting') {
      res.writeHead(503).end();
      return;
    }
    if (req.method === 'GET' && req.url?.startsWith('/api/client/features')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ version: 2, features }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api`,
    polls: () => polls,
    serve(next: unknown[]) {
      features = next;
      mode = 'serving';
    },
    restarting() {
      mode = 'restarting';
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    start: () => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }),
  };
}

const usersReads = (enabled: boolean) => ({ name: 'users.reads', enabled, strategies: [{ name: 'default', parameters: {} }] });

describe('the edge while Unleash is down and after it returns', () => {
  let unleash: Awaited<ReturnType<typeof startFakeUnleash>>;
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let flags: FlagProvider;
  let t: TestEdge;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'edge-unleash-outage-'));
    unleash = await startFakeUnleash();
    unleash.serve([usersReads(true)]);
    [legacy, users] = await Promise.all([startFakeUpstream('legacy'), startFakeUpstream('users')]);
    flags = createUnleashFlagEvaluator({
      url: unleash.url,
      appName: 'strangler-edge',
      instanceId: 'outage-test',
      refreshIntervalMs: REFRESH_MS,
      requestTimeoutMs: 1000,
      snapshotFile: snapshotFileFor(dir, 'strangler-edge'),
      logger: createLogger({ name: 'edge-flags', level: 'silent' }),
    });
    expect(await flags.ready).toEqual({ ready: true, source: 'unleash' });
    t = await startTestEdge({ legacy: legacy.url, users: users.url, catalog: legacy.url, flags });
  });

  afterAll(async () => {
    await t.close();
    await flags.close();
    await unleash.stop().catch(() => undefined);
    await Promise.all([legacy.close(), users.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  const backend = async () => String((await send(t.url, '/api/users/1')).headers['x-strangler-backend']);
  const ready = async () => {
    const reply = await send(t.adminUrl, '/ready');
    return { status: reply.status, body: reply.json<{ flags?: string; note?: string }>() };
  };

  it('keeps routing by the last known flags and stays ready while Unleash is down, then follows a change once it is back', async () => {
    expect(await backend()).toBe('users');
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready', flags: 'unleash' } });

    // Down: connections refused. The client notices on its next poll; the flags stay as they were.
    await unleash.stop();
    await expect.poll(async () => (await ready()).body.note, { timeout: 10_000, interval: 50 }).toMatch(UNREACHABLE_NOTE);
    expect((await ready()).status).toBe(200);
    expect((await ready()).body.flags).toBe('unleash');
    for (let i = 0; i < 5; i++) expect(await backend()).toBe('users');

    // Restarting: it listens again but answers 503 (unleash-client backs off; still the last known flags).
    unleash.restarting();
    await unleash.start();
    const pollsBefore = unleash.polls();
    await expect.poll(() => unleash.polls(), { timeout: 10_000, interval: 50 }).toBeGreaterThan(pollsBefore + 1);
    expect(await backend()).toBe('users');
    expect((await ready()).status).toBe(200);

    // Back, with the flag switched off meanwhile: the edge follows within a few polls (plus the back-off above).
    unleash.serve([usersReads(false)]);
    await expect.poll(backend, { timeout: 15_000, interval: 50 }).toBe('legacy');
    await expect.poll(async () => (await ready()).body, { timeout: 5000, interval: 50 }).toEqual({ status: 'ready', flags: 'unleash' });
    expect(await backend()).toBe('legacy');
  });
});
