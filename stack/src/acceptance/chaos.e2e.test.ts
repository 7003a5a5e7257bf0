import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sliceEnvPrefix } from '@strangler/platform/slices';
import { runScript } from '@strangler/testkit/processes';
import { loadStackConfig } from '../config.js';
import { isAlive, waitUntil } from '../processes.js';
import { readSupervisionState, type SupervisedComponent } from '../supervision/supervision-state.js';
import { createLaunchedStack, READY_LINE, type LaunchedStack, type LauncherRun } from '../testing/launched-stack.js';
import { compareStores, type Listing } from '../testing/store-agreement.js';
import { quantileMs, startTraffic, type RequestRecord, type Traffic } from '../testing/traffic.js';

/**
 * Chaos, measured: the real `npm start`, steady reads and writes through nginx at a 50% read rollout of every
 * slice, and then one part at a time killed with SIGKILL (an edge worker, each service, each projector, Kafka
 * Connect, Kafka, Unleash) and the users service frozen for 5 s. After each: the part is back, no read failed, and
 * at the end no acknowledged write is lost and legacy and every service agree row by row. Prints the figures.
 */
const SEED = { users: 30, products: 20, orders: 20 };
const PHASE_TIMEOUT_MS = 180_000;
const FREEZE_MS = 5_000;
/** Longer than any timeout of the edge's: a read this slow counts as failed. */
const READ_TIMEOUT_MS = 15_000;

const slices = loadStackConfig({}).slices.map((slice) => slice.manifest);
const serviceUrl = (stack: LaunchedStack, name: string) => {
  const slice = slices.find((candidate) => candidate.name === name);
  if (!slice) throw new Error(`no slice ${name}`);
  return `http://127.0.0.1:${stack.port(slice.service.port.setting)}`;
};

let stack: LaunchedStack;
let launcher: LauncherRun;
let traffic: Traffic | undefined;

function supervised(name: string): SupervisedComponent {
  const reading = readSupervisionState(stack.stackDir);
  if (!reading.found) throw new Error(reading.problem);
  const component = reading.state.components.find((candidate) => candidate.name === name);
  if (!component) throw new Error(`${name} is not supervised (${reading.state.components.map((c) => c.name).join(', ')})`);
  return component;
}

/** The pids of a process's children (the edge's workers under its cluster primary). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number);
}

async function isOk(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** A user created through nginx, and the time until the users service serves it: the CDC path end to end. */
async function changeReachesService(): Promise<number> {
  const email = `probe-${randomBytes(6).toString('hex')}@example.com`;
  const created = await fetch(`http://127.0.0.1:${stack.port('NGINX_PORT')}/api/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, fullName: 'Probe', password: 'probe-password-1' }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: number };
  const began = Date.now();
  await waitUntil(`user ${id} in the users service`, () => isOk(`${serviceUrl(stack, 'users')}/api/users/${id}`), { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 100 });
  return Date.now() - began;
}

interface Recovery {
  killed: string;
  /** From the SIGKILL until the supervisor (or the edge's primary) had it healthy again. */
  backMs: number;
  /** The supervisor's own figure for that (crash → healthy). */
  supervisorMs?: number;
  /** After it was back: a write through nginx until the users service served it. */
  cdcMs: number;
  failedReads: number;
}

const recoveries: Recovery[] = [];

function failedReads(records: readonly RequestRecord[]): RequestRecord[] {
  return records.filter((record) => record.kind === 'read' && record.status !== 200);
}

async function killComponent(name: string): Promise<Recovery> {
  const before = supervised(name);
  expect(before.state).toBe('running');
  expect(before.pid).not.toBeNull();
  const pid = before.pid as number;
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  let after = before;
  await waitUntil(
    `${name} back after SIGKILL`,
    async () => {
      after = supervised(name);
      // A restart that did not get healthy counts too: more than one attempt is allowed, a crash loop is not.
      return after.state === 'running' && after.pid !== pid && after.restarts > before.restarts;
    },
    { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 50 },
  ).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n${JSON.stringify(after)}\nthe launcher's last lines:\n${launcher.output().split('\n').slice(-40).join('\n')}`);
  });
  const backMs = Date.now() - killedAt;
  expect(isAlive(pid)).toBe(false);
  expect(isAlive(after.pid as number)).toBe(true);
  return { killed: name, backMs, supervisorMs: after.lastRestartMs ?? undefined, cdcMs: await changeReachesService(), failedReads: 0 };
}

async function killEdgeWorker(): Promise<Recovery> {
  const primary = supervised('edge').pid as number;
  const workers = childrenOf(primary);
  expect(workers.length).toBeGreaterThan(0);
  const victim = workers[0] as number;
  const killedAt = Date.now();
  process.kill(victim, 'SIGKILL');
  await waitUntil(
    'a replacement edge worker serving',
    async () => {
      const now = childrenOf(primary);
      return now.length === workers.length && !now.includes(victim) && (await isOk(`http://127.0.0.1:${stack.port('EDGE_ADMIN_PORT')}/ready`));
    },
    { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 50 },
  );
  // The primary replaced its worker itself: the launcher saw nothing die.
  expect(supervised('edge')).toMatchObject({ pid: primary, restarts: 0 });
  return { killed: 'edge worker', backMs: Date.now() - killedAt, cdcMs: await changeReachesService(), failedReads: 0 };
}

/** Runs one kill with the traffic going, and checks no read failed while it lasted. */
async function phase(kill: () => Promise<Recovery>): Promise<void> {
  const from = traffic?.records.length ?? 0;
  const recovery = await kill();
  // Traffic on the recovered stack for a while (a few hundred requests), in the same phase.
  const until = (traffic?.records.length ?? 0) + 100;
  await waitUntil('traffic after recovery', async () => (traffic?.records.length ?? 0) >= until, { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 50 });
  const failed = failedReads(traffic?.records.slice(from) ?? []);
  recovery.failedReads = failed.length;
  recoveries.push(recovery);
  expect(failed, `reads that failed while ${recovery.killed} was killed`).toEqual([]);
}

/** The `strangler` CLI against this stack (its Unleash, its admin token in STACK_DIR, its projectors). */
function strangler(...args: string[]) {
  return runScript('cli/src/main.ts', args, {
    STACK_DIR: stack.stackDir,
    UNLEASH_URL: `http://127.0.0.1:${stack.port('UNLEASH_PORT')}`,
    ...Object.fromEntries(
      slices.map((slice) => [`${sliceEnvPrefix(slice.projector.name)}_PROJECTOR_URL`, `http://127.0.0.1:${stack.port(slice.projector.port.setting)}`]),
    ),
  });
}

async function listIds(path: string): Promise<number[]> {
  const response = await fetch(`http://127.0.0.1:${stack.port('LEGACY_PORT')}${path}?page=1&pageSize=100`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: Array<{ id: number }> }).items.map((item) => item.id);
}

beforeAll(async () => {
  stack = await createLaunchedStack({ seed: SEED });
  launcher = stack.cli('start');
  await launcher.waitFor(READY_LINE, 300_000);
}, 360_000);

afterAll(async () => {
  await traffic?.stop();
  await stack.cleanup();
}, 180_000);

describe('chaos under load through nginx (the real stack)', () => {
  it('survives each part being killed, and a frozen service, without a failed read or a lost write', async () => {
    const legacyUrl = `http://127.0.0.1:${stack.port('LEGACY_PORT')}`;
    // The seed, projected: every read of the traffic is of a row both stores hold.
    const userIds = await listIds('/api/users');
    const productIds = await listIds('/api/products');
    expect(userIds.length).toBe(SEED.users);
    for (const slice of slices) {
      const rollout = await strangler('rollout', slice.name, '50', '--force');
      expect(rollout.code, rollout.stderr).toBe(0);
    }
    await waitUntil('the seed in both services', async () => (await compareStores(legacyUrl, serviceUrl(stack, 'users'), [{ path: '/api/users' }])).length === 0, {
      timeoutMs: PHASE_TIMEOUT_MS,
      intervalMs: 500,
    });

    traffic = startTraffic({
      baseUrl: `http://127.0.0.1:${stack.port('NGINX_PORT')}`,
      userIds,
      productIds,
      clients: 4,
      pauseMs: 20,
      timeoutMs: READ_TIMEOUT_MS,
      runId: randomBytes(4).toString('hex'),
    });
    // The rollout has reached the edge: both backends serve reads of every slice.
    await waitUntil(
      'reads served by legacy and by each service',
      async () => {
        const served = new Set(traffic?.records.filter((r) => r.kind === 'read').map((r) => r.backend));
        return served.has('legacy') && slices.every((slice) => served.has(slice.name));
      },
      { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 100 },
    );

    await phase(killEdgeWorker);
    for (const slice of slices) await phase(() => killComponent(slice.name));
    for (const slice of slices) await phase(() => killComponent(`${slice.name}-projector`));
    for (const name of ['kafka-connect', 'kafka', 'unleash']) await phase(() => killComponent(name));

    // Frozen, not dead: the process holds its connections and answers nothing.
    const frozen = supervised('users').pid as number;
    const freezeFrom = Date.now();
    process.kill(frozen, 'SIGSTOP');
    try {
      await waitUntil('the freeze', async () => Date.now() - freezeFrom >= FREEZE_MS, { timeoutMs: FREEZE_MS * 2, intervalMs: 50 });
    } finally {
      process.kill(frozen, 'SIGCONT');
    }
    const freezeTo = Date.now();
    const usersReads = (from: number, to: number) => traffic?.readsBetween(from, to).filter((r) => r.path.startsWith('/api/users')) ?? [];
    // Reads that started in the freeze, once each has finished.
    await waitUntil('reads of the freeze answered', async () => (traffic?.records.some((r) => r.startedAt >= freezeTo) ?? false), { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 50 });
    const duringFreeze = usersReads(freezeFrom, freezeTo);
    expect(duringFreeze.length).toBeGreaterThan(0);
    expect(failedReads(duringFreeze)).toEqual([]);
    expect(supervised('users')).toMatchObject({ pid: frozen, state: 'running' });

    await traffic.stop();
    const records = traffic.records;
    expect(failedReads(records), 'reads that failed').toEqual([]);

    // No acknowledged write is lost: legacy (the owner of writes) holds each one's outcome.
    const { createdUsers, productNames, stockQuantities } = traffic.acknowledged;
    expect(createdUsers.length).toBeGreaterThan(0);
    for (const { id, email } of createdUsers) {
      const user = await fetch(`${legacyUrl}/api/users/${id}`);
      expect(user.status, `acknowledged user ${id}`).toBe(200);
      expect(((await user.json()) as { email: string }).email).toBe(email);
    }
    for (const [id, name] of productNames) {
      const product = (await (await fetch(`${legacyUrl}/api/products/${id}`)).json()) as { name: string };
      expect(product.name, `product ${id}`).toBe(name);
    }
    for (const [id, quantity] of stockQuantities) {
      const stock = (await (await fetch(`${legacyUrl}/api/products/${id}/stock`)).json()) as { quantity: number };
      expect(stock.quantity, `stock of ${id}`).toBe(quantity);
    }

    // After recovery, legacy and every service agree row by row.
    const listings: Record<string, Listing[]> = {
      users: [{ path: '/api/users' }],
      catalog: [{ path: '/api/products', itemPaths: (id) => [`/api/products/${id}/stock`] }],
    };
    const agreedAt: Record<string, number> = {};
    const stoppedAt = Date.now();
    for (const slice of slices) {
      let last: unknown[] = [];
      await waitUntil(
        `legacy and ${slice.name} agreeing`,
        async () => {
          last = await compareStores(legacyUrl, serviceUrl(stack, slice.name), listings[slice.name] ?? []);
          return last.length === 0;
        },
        { timeoutMs: PHASE_TIMEOUT_MS, intervalMs: 500 },
      ).catch((error: unknown) => {
        throw new Error(`${(error as Error).message}; first disagreements: ${JSON.stringify(last.slice(0, 3))}`);
      });
      agreedAt[slice.name] = Date.now() - stoppedAt;
    }

    const status = await strangler('status', '--json');
    expect(status.code, status.stderr).toBe(0);

    const reads = records.filter((r) => r.kind === 'read');
    const writes = records.filter((r) => r.kind === 'write');
    const summary = [
      '',
      `chaos: ${reads.length} reads (0 failed), ${writes.length} writes (${writes.filter((w) => w.status !== 200 && w.status !== 201).length} refused or cut off, never acknowledged)`,
      ...recoveries.map(
        (r) =>
          `  kill -9 ${r.killed.padEnd(18)} back in ${String(r.backMs).padStart(6)} ms` +
          (r.supervisorMs === undefined ? '' : ` (supervisor: ${r.supervisorMs} ms)`) +
          `, a write reached the users service ${r.cdcMs} ms later; failed reads ${r.failedReads}`,
      ),
      `  users service frozen ${freezeTo - freezeFrom} ms: ${duringFreeze.length} users reads, p50 ${quantileMs(duringFreeze, 0.5)} ms, p99 ${quantileMs(duringFreeze, 0.99)} ms, max ${quantileMs(duringFreeze, 1)} ms`,
      `  all reads: p50 ${quantileMs(reads, 0.5)} ms, p99 ${quantileMs(reads, 0.99)} ms`,
      `  stores agreed row by row ${Object.entries(agreedAt).map(([name, ms]) => `${name} ${ms} ms`).join(', ')} after the traffic stopped`,
      '',
    ].join('\n');
    process.stdout.write(summary);
    expect(recoveries.map((r) => r.killed)).toEqual(['edge worker', ...slices.map((s) => s.name), ...slices.map((s) => `${s.name}-projector`), 'kafka-connect', 'kafka', 'unleash']);
  }, 1_800_000);
});
