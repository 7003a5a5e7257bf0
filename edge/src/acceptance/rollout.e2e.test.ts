import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { createTestFlag, type TestFlag } from '@strangler/testkit/unleash';
import { freePort } from '@strangler/testkit/ports';
import { repoSliceManifests, writeSliceManifests } from '@strangler/testkit/slices';
import { createUnleashFlagEvaluator } from '../flags/unleash-flag-evaluator.js';
import type { FlagProvider } from '../flags/flag-evaluator.js';
import { issueToken, send, startTestEdge, TEST_JWT_SECRET, type TestEdge } from '../testing/test-edge.js';
import { REPO, dbEnv, inParallel, runCli, startService, type ServiceProcess } from '../testing/real-stack.js';

const run = promisify(execFile);
// The edge's flag refresh interval here (≤ 1 s, as the issue asks of tests).
const REFRESH_MS = 400;
/**
 * How long a wait for a condition that is not itself under test may take: generous, for a loaded 2-core machine.
 * Only a broken edge or stack reaches it; the propagation times the issue bounds are asserted on their own.
 */
const DEADLINE_MS = 60_000;

/**
 * Issue acceptance against the real parts: Unleash on PostgreSQL (the test run's), the legacy monolith and the
 * users service as processes on their own MariaDB databases, the real edge with the real unleash-client, and the
 * `strangler` CLI as a process.
 */
describe('rolling out the users slice through the edge', () => {
  let legacyDb: TestDatabase;
  let usersDb: TestDatabase;
  let legacy: ServiceProcess;
  let users: ServiceProcess;
  let usersPort: number;
  let usersFlag: TestFlag;
  let catalogFlag: TestFlag;
  let edgeA: TestEdge;
  let edgeB: TestEdge;
  const providers: FlagProvider[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'edge-acceptance-'));
  const slicesDir = join(scratch, 'slices');
  const tokens = new Map<number, string>();

  async function tokenFor(userId: number): Promise<string> {
    let token = tokens.get(userId);
    if (!token) tokens.set(userId, (token = await issueToken(userId)));
    return token;
  }

  /** Which backend served user `userId`'s read of an existing user, through `edge`. */
  async function backendFor(edge: TestEdge, userId: number): Promise<string> {
    const reply = await send(edge.url, '/api/users/1', { headers: { authorization: `Bearer ${await tokenFor(userId)}` } });
    expect(reply.status, reply.text).toBe(200);
    return String(reply.headers['x-strangler-backend']);
  }

  async function shareOnUsers(edge: TestEdge, userIds: readonly number[]): Promise<number> {
    const backends = await inParallel(userIds, 32, (id) => backendFor(edge, id));
    return backends.filter((backend) => backend === 'users').length / userIds.length;
  }

  async function edgeWithRealUnleash(name: string): Promise<TestEdge> {
    const unleash = inject('unleash');
    const flags = createUnleashFlagEvaluator({
      url: `${unleash.unleashUrl}/api`,
      clientToken: unleash.clientToken,
      appName: `acceptance-${name}`,
      instanceId: name,
      refreshIntervalMs: REFRESH_MS,
      snapshotFile: join(scratch, `${name}-flags.json`),
    });
    providers.push(flags);
    await flags.ready;
    return startTestEdge({
      legacy: legacy.url,
      users: users.url,
      catalog: legacy.url,
      flags,
      // A long service timeout: on a loaded machine a slow answer from the users service must not turn into a
      // fallback, which would move users to legacy and skew the shares measured here. (Its death, below, is a
      // refused connection: no timeout needed to see it.)
      env: { SLICES_DIR: slicesDir, BREAKER_FAILURES: '3', BREAKER_HALF_OPEN_MS: '1000', SERVICE_TIMEOUT_MS: '10000' },
    });
  }

  function strangler(args: string[]): Promise<{ stdout: string; stderr: string }> {
    const unleash = inject('unleash');
    return run(process.execPath, ['--conditions=development', '--import', 'tsx', 'cli/src/main.ts', ...args], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH,
        UNLEASH_URL: unleash.unleashUrl,
        UNLEASH_ADMIN_TOKEN: unleash.adminToken,
        SLICES_DIR: slicesDir,
        STACK_DIR: scratch,
        CONTRACTS_RESULTS_DIR: join(scratch, 'no-results'),
      },
    });
  }

  interface ClientFeature {
    name: string;
    enabled: boolean;
    strategies: Array<{ name: string; parameters?: Record<string, string> }>;
  }

  /** What Unleash's client API serves for the users flag right now (what the edge's client will fetch). */
  async function servedFeature(): Promise<ClientFeature | undefined> {
    const unleash = inject('unleash');
    const response = await fetch(`${unleash.unleashUrl}/api/client/features`, { headers: { authorization: unleash.clientToken } });
    const body = (await response.json()) as { features: ClientFeature[] };
    return body.features.find((feature) => feature.name === usersFlag.name);
  }

  /** Times a change from the CLI's exit: until Unleash serves it, and from then until the edge acts on it. */
  async function propagation(
    served: (feature: ClientFeature) => boolean,
    edgeActs: () => Promise<boolean>,
  ): Promise<{ servedMs: number; edgeAfterServedMs: number; totalMs: number }> {
    const started = Date.now();
    // Bounded generously: the times themselves are what the caller asserts on, so a slow one is reported with its figure.
    const servedMs = await waitFor('Unleash serves the change', async () => {
      const feature = await servedFeature();
      return feature !== undefined && served(feature);
    }, DEADLINE_MS);
    const edgeAfterServedMs = await waitFor('the edge acts on it', edgeActs, DEADLINE_MS);
    return { servedMs, edgeAfterServedMs, totalMs: Date.now() - started };
  }

  const edgeAFlags = (): FlagProvider => edgeA.flags as FlagProvider;

  /** The share of `userIds` the edge's flag state puts on the new service (what routing reads per request). */
  function sampleOnNew(flags: FlagProvider, userIds: readonly number[]): number {
    const on = userIds.filter((id) => flags.isEnabled(usersFlag.name, { userId: String(id), sessionId: String(id) }));
    return on.length / userIds.length;
  }

  async function breakerState(edge: TestEdge): Promise<number | undefined> {
    const metrics = await (await fetch(`${edge.adminUrl}/metrics`)).text();
    const match = /^edge_breaker_state\{[^}]*backend="users"[^}]*\} (\d+)/m.exec(metrics);
    return match ? Number(match[1]) : undefined;
  }

  /** Polls `check`; returns how long after the start the first successful check began (its own duration excluded). */
  async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
    const started = Date.now();
    for (;;) {
      const checkStarted = Date.now();
      if (await check()) return checkStarted - started;
      if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  beforeAll(async () => {
    [legacyDb, usersDb, usersFlag, catalogFlag] = await Promise.all([
      createTestDatabase('edge_acc_legacy'),
      createTestDatabase('edge_acc_users'),
      createTestFlag('users-reads'),
      createTestFlag('catalog-reads'),
    ]);
    // The real slice manifests, on this test's own flags.
    const manifests = repoSliceManifests().map((slice) => ({ ...slice, flags: { reads: slice.name === 'users' ? usersFlag.name : catalogFlag.name } }));
    writeSliceManifests(slicesDir, manifests);

    await Promise.all([
      runCli('legacy/src/db/migrate-cli.ts', [], dbEnv(legacyDb)).then(() =>
        runCli('legacy/src/seed/seed-cli.ts', ['--users', '20', '--products', '5', '--orders', '10'], dbEnv(legacyDb)),
      ),
      runCli('new-services/users/src/db/migrate-cli.ts', [], dbEnv(usersDb)).then(() =>
        runCli('new-services/users/src/seed/seed-cli.ts', ['--accounts', '20'], dbEnv(usersDb)),
      ),
    ]);
    usersPort = await freePort();
    [legacy, users] = await Promise.all([
      startService('legacy/src/server.ts', await freePort(), { ...dbEnv(legacyDb), JWT_SECRET: TEST_JWT_SECRET }),
      startService('new-services/users/src/server.ts', usersPort, { ...dbEnv(usersDb), JWT_SECRET: TEST_JWT_SECRET }),
    ]);
    [edgeA, edgeB] = await Promise.all([edgeWithRealUnleash('edge-a'), edgeWithRealUnleash('edge-b')]);
  }, 180_000);

  afterAll(async () => {
    await Promise.all([edgeA?.close(), edgeB?.close()]);
    await Promise.all(providers.map((flags) => flags.close()));
    await Promise.all([legacy?.kill(), users?.kill()]);
    await Promise.all([legacyDb?.drop(), usersDb?.drop(), usersFlag?.remove(), catalogFlag?.remove()]);
    rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('sends 25% ± 1.5% of 10,000 distinct users to the new service, each always to the same backend, on both edges', async () => {
    await usersFlag.admin.setEnabled(usersFlag.name, true);
    await usersFlag.admin.setRollout(usersFlag.name, 25);
    // Both edges have the 25 % state (the flag starts at 0 %; 2,000 in-memory evaluations tell 25 % from 0 or 100).
    const probe = Array.from({ length: 2000 }, (_, i) => 900_000 + i);
    for (const edge of [edgeA, edgeB]) {
      await waitFor('the edges at 25 %', async () => Math.abs(sampleOnNew(edge.flags as FlagProvider, probe) - 0.25) < 0.05, DEADLINE_MS);
    }

    const userIds = Array.from({ length: 10_000 }, (_, i) => i + 1);
    const first = await inParallel(userIds, 48, (id) => backendFor(edgeA, id));
    const share = first.filter((backend) => backend === 'users').length / userIds.length;
    expect(share).toBeGreaterThanOrEqual(0.235);
    expect(share).toBeLessThanOrEqual(0.265);
    expect(new Set(first)).toEqual(new Set(['legacy', 'users']));

    // Repeated requests, through this edge and through a second instance, land where they landed first.
    const sample = userIds.filter((id) => id % 10 === 0);
    const againA = await inParallel(sample, 48, (id) => backendFor(edgeA, id));
    const onB = await inParallel(sample, 48, (id) => backendFor(edgeB, id));
    sample.forEach((id, i) => {
      expect(againA[i], `user ${id} on edge A`).toBe(first[id - 1]);
      expect(onB[i], `user ${id} on edge B`).toBe(first[id - 1]);
    });
  }, 300_000);

  it('applies `strangler rollout` and `strangler kill` within the refresh interval', async () => {
    // Small enough to poll quickly (the poll's own time is excluded), large enough: at 25% P(none moved) ≈ 1e-5.
    const sample = Array.from({ length: 40 }, (_, i) => 50_000 + i);
    await strangler(['kill', 'users']);
    await waitFor('everyone on legacy after the kill', async () => sampleOnNew(edgeAFlags(), sample) === 0, DEADLINE_MS);
    expect(await shareOnUsers(edgeA, sample)).toBe(0);
    await strangler(['resume', 'users']);

    // The gate: no passing contract record in this run's results dir.
    const refused = await strangler(['rollout', 'users', '25']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/npm run contracts/);

    await strangler(['rollout', 'users', '25', '--force']);
    // Detected on edge A's own flag state (cheap to poll every 10 ms, so the timing is the edge's, not the probe's),
    // then confirmed with real requests through the edge.
    const raised = await propagation(
      (feature) => feature.enabled && feature.strategies.some((strategy) => strategy.parameters?.rollout === '25'),
      async () => sampleOnNew(edgeAFlags(), sample) > 0.1,
    );
    expect(await shareOnUsers(edgeA, sample)).toBeGreaterThan(0.1);

    await strangler(['kill', 'users']);
    const killed = await propagation(
      (feature) => !feature.enabled,
      async () => sampleOnNew(edgeAFlags(), sample) === 0,
    );
    expect(await shareOnUsers(edgeA, sample)).toBe(0);
    console.info(`propagation (ms): rollout ${JSON.stringify(raised)}, kill ${JSON.stringify(killed)}`);
    for (const timing of [raised, killed]) {
      expect(timing.edgeAfterServedMs).toBeLessThanOrEqual(1000);
      expect(timing.totalMs).toBeLessThanOrEqual(1000 + 1000 + 2 * REFRESH_MS);
    }
    const flag = await usersFlag.admin.getFlag(usersFlag.name);
    expect(flag?.enabled).toBe(false);
    await strangler(['resume', 'users']);
  }, 180_000);

  it('serves every GET from legacy when the users service dies under load at 50%, opens the breaker, and closes it once the service is back', async () => {
    await usersFlag.admin.setEnabled(usersFlag.name, true);
    await usersFlag.admin.setRollout(usersFlag.name, 50);
    const userIds = Array.from({ length: 400 }, (_, i) => 100_000 + i);
    // Waited for on the edge's own flag state (cheap), then confirmed once with real reads: a poll of 400 reads each
    // time is slow on a loaded machine and was what ran out of time here.
    await waitFor('half the users on the new service', async () => sampleOnNew(edgeAFlags(), userIds) > 0.35, DEADLINE_MS);
    expect(await shareOnUsers(edgeA, userIds)).toBeGreaterThan(0.35);
    expect(await breakerState(edgeA)).toBe(0);

    const statuses: number[] = [];
    // Which backend served each read under load, in order.
    const backends: string[] = [];
    let stop = false;
    const load = inParallel(Array.from({ length: 16 }, (_, i) => i), 16, async (worker) => {
      for (let n = 0; !stop; n++) {
        const id = userIds[(worker * 25 + n) % userIds.length] as number;
        const reply = await send(edgeA.url, '/api/users/1', { headers: { authorization: `Bearer ${await tokenFor(id)}` } });
        statuses.push(reply.status);
        backends.push(String(reply.headers['x-strangler-backend']));
      }
    });
    const count = (backend: string) => backends.filter((b) => b === backend).length;
    // The load reaches the service before it dies...
    await waitFor('reads served by the users service under load', async () => count('users') >= 50, DEADLINE_MS);
    await users.kill('SIGKILL');
    // ...the breaker opens (2; it shows 1 only while a trial read is in flight), and reads go on with it open.
    await waitFor('the breaker open', async () => (await breakerState(edgeA)) === 2, DEADLINE_MS);
    const atOpen = backends.length;
    await waitFor('reads with the circuit open', async () => backends.length >= atOpen + 100, DEADLINE_MS);
    stop = true;
    await load;

    expect(statuses.length).toBeGreaterThan(100);
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(backends.slice(atOpen).filter((backend) => backend !== 'legacy')).toEqual([]);

    users = await startService('new-services/users/src/server.ts', usersPort, { ...dbEnv(usersDb), JWT_SECRET: TEST_JWT_SECRET });
    // After the half-open delay one trial read succeeds and closes the circuit; reads reach the service again.
    await waitFor('breaker closed again', async () => {
      await shareOnUsers(edgeA, userIds.slice(0, 40));
      return (await breakerState(edgeA)) === 0;
    }, DEADLINE_MS);
    expect(await shareOnUsers(edgeA, userIds)).toBeGreaterThan(0.35);
  }, 240_000);
});
