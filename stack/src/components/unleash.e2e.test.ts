import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnleashAdminClient } from '@strangler/unleash-admin';
import { ADMIN_TOKEN_SECRET_KEY, CLIENT_TOKEN_SECRET_KEY } from '../secret-keys.js';
import { secret } from '../context.js';
import { freePort } from '@strangler/testkit/ports';
import { isPortOpen } from '../ports.js';
import { isAlive, commandLineOf } from '../processes.js';
import { repoSliceManifests, testSliceManifest, writeSliceManifests } from '@strangler/testkit/slices';
import { createTestFlag, type TestFlag } from '@strangler/testkit/unleash';
import { startUnleashStack, type RunningUnleash } from '../testing/unleash-stack.js';
import { POSTGRES_OS_USER, postgresOsUser } from './postgres.js';
import { UNLEASH_DB_PASSWORD_KEY } from './postgres-server.js';

interface RawStrategy {
  id: string;
  name: string;
  parameters: Record<string, string>;
  constraints: unknown[];
}

/** The flag's development environment as the Admin API returns it (not through the client under test). */
async function environmentOf(url: string, token: string, flag: string): Promise<{ enabled: boolean; strategies: RawStrategy[] }> {
  const response = await fetch(`${url}/api/admin/projects/default/features/${flag}/environments/development`, { headers: { authorization: token } });
  expect(response.status, `GET ${flag}`).toBe(200);
  return (await response.json()) as { enabled: boolean; strategies: RawStrategy[] };
}

async function clientFeatures(url: string, token: string): Promise<Array<{ name: string; enabled: boolean; strategies: Array<{ name: string; parameters: Record<string, string> }> }>> {
  const response = await fetch(`${url}/api/client/features`, { headers: { authorization: token } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { features: Array<{ name: string; enabled: boolean; strategies: Array<{ name: string; parameters: Record<string, string> }> }> }).features;
}

function progressOf(unleash: RunningUnleash, name: string): string[] {
  return unleash.events.flatMap((event) => (event.type === 'progress' && event.name === name ? [event.message] : []));
}

/**
 * The launcher's `postgres` and `unleash` components for real, on an instance of this file's own (first start,
 * restart on the same data), plus flag ensuring on the test run's shared Unleash with isolated flags.
 */
describe('postgres + unleash components (own instance: first start, restart)', () => {
  let home: string;
  let ports: { postgresPort: number; unleashPort: number };
  let slicesDir: string;
  const running: RunningUnleash[] = [];

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'strangler-unleash-e2e-'));
    chmodSync(home, 0o711);
    ports = { postgresPort: await freePort(), unleashPort: await freePort() };
    // A slice added later: its flag is ensured too, next to users.reads and catalog.reads.
    slicesDir = writeSliceManifests(join(home, 'slices'), [...repoSliceManifests(), testSliceManifest({ name: 'orders', service: 'http://127.0.0.1:3003' })]);
  });

  afterAll(async () => {
    for (const unleash of running) await unleash.stop();
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  async function start(): Promise<RunningUnleash> {
    const unleash = await startUnleashStack({ home: join(home, 's'), ...ports, slicesDir });
    running.push(unleash);
    return unleash;
  }

  it('first start: initdb, schema, tokens, flags; restart: same tokens, rollout kept, shape restored', async () => {
    const first = await start();
    const [postgresMs, unleashMs] = ['postgres', 'unleash'].map((name) => first.started.find((s) => s.name === name)?.ms);
    console.info(`first start: postgres (initdb + start) ${postgresMs} ms, unleash (migrations + first start + flags) ${unleashMs} ms, total ${first.ms} ms`);
    expect(progressOf(first, 'postgres')).toContain('initialised a new cluster (initdb)');
    expect(progressOf(first, 'unleash')).toContain('first start: Unleash creates its schema (migrations)');

    // Tokens: generated into the private secrets file in the formats Unleash takes.
    const secretsFile = join(home, 's', 'secrets.json');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    const secrets = readFileSync(secretsFile, 'utf8');
    expect(first.adminToken).toMatch(/^\*:\*\.[0-9a-f]{64}$/);
    expect(first.clientToken).toMatch(/^default:development\.[0-9a-f]{64}$/);

    // Every declared flag: one flexibleRollout at 0% with stickiness userId and groupId = flag, enabled.
    for (const flag of ['users.reads', 'catalog.reads', 'orders.reads']) {
      const env = await environmentOf(first.unleashUrl, first.adminToken, flag);
      expect(env.enabled, flag).toBe(true);
      expect(env.strategies.map((s) => [s.name, s.parameters])).toEqual([['flexibleRollout', { rollout: '0', stickiness: 'userId', groupId: flag }]]);
    }
    // The client (backend) token reads them through the client API, as the edge will.
    const features = await clientFeatures(first.unleashUrl, first.clientToken);
    expect(features.find((f) => f.name === 'users.reads')).toMatchObject({ enabled: true, strategies: [{ name: 'flexibleRollout', parameters: { rollout: '0' } }] });
    // The admin token is for the Admin API only the other way round: the client token may not administer.
    const forbidden = await fetch(`${first.unleashUrl}/api/admin/projects/default/features/users.reads`, { headers: { authorization: first.clientToken } });
    expect(forbidden.status).toBe(403);

    // PostgreSQL: runs as the postgres OS user when we are root; `unleash` logs in over TCP with its password only.
    const postgres = first.started.find((s) => s.name === 'postgres')?.process;
    expect(postgres).toBeDefined();
    const user = postgresOsUser();
    if (user) expect(readFileSync(`/proc/${postgres?.pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${user.uid}\\s`, 'm'));
    else expect(POSTGRES_OS_USER).toBe('postgres');
    expect(commandLineOf(postgres?.pid ?? 0)).toContain('shared_buffers=64MB');
    const password = secret(first.ctx, UNLEASH_DB_PASSWORD_KEY);
    const asUnleash = new pg.Client({ host: '127.0.0.1', port: ports.postgresPort, user: 'unleash', password, database: 'unleash' });
    await asUnleash.connect();
    expect((await asUnleash.query('SELECT current_user AS who')).rows).toEqual([{ who: 'unleash' }]);
    await asUnleash.end();
    const wrong = new pg.Client({ host: '127.0.0.1', port: ports.postgresPort, user: 'unleash', password: 'wrong', database: 'unleash' });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);
    const superuser = new pg.Client({ host: '127.0.0.1', port: ports.postgresPort, user: 'postgres', password: '', database: 'postgres' });
    await expect(superuser.connect()).rejects.toThrow();

    // An operator raised the rollout, killed the flag and someone added a strategy by hand.
    const admin = new UnleashAdminClient({ url: first.unleashUrl, token: first.adminToken });
    await admin.setRollout('users.reads', 35);
    await admin.setEnabled('users.reads', false);
    const added = await fetch(`${first.unleashUrl}/api/admin/projects/default/features/users.reads/environments/development/strategies`, {
      method: 'POST',
      headers: { authorization: first.adminToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'default', parameters: {}, constraints: [] }),
    });
    expect(added.status).toBe(200);

    const postgresPid = postgres?.pid as number;
    const unleashPid = first.started.find((s) => s.name === 'unleash')?.process?.pid as number;
    await first.stop();
    expect(isAlive(postgresPid)).toBe(false);
    expect(isAlive(unleashPid)).toBe(false);
    expect(await isPortOpen(ports.postgresPort)).toBe(false);
    expect(await isPortOpen(ports.unleashPort)).toBe(false);

    // Restart on the same data.
    const again = await start();
    console.info(`warm start: postgres ${again.started.find((s) => s.name === 'postgres')?.ms} ms, unleash ${again.started.find((s) => s.name === 'unleash')?.ms} ms, total ${again.ms} ms`);
    expect(progressOf(again, 'postgres')).not.toContain('initialised a new cluster (initdb)');
    expect(progressOf(again, 'unleash')).not.toContain('first start: Unleash creates its schema (migrations)');
    expect(readFileSync(secretsFile, 'utf8')).toBe(secrets);
    expect(again.adminToken).toBe(first.adminToken);
    // The tokens created on the first start still work (they were not re-created: Unleash has them in its database).
    expect((await clientFeatures(again.unleashUrl, again.clientToken)).map((f) => f.name)).toEqual(expect.arrayContaining(['users.reads', 'catalog.reads', 'orders.reads']));
    const users = await environmentOf(again.unleashUrl, again.adminToken, 'users.reads');
    // The kill survives the restart: ensuring restores the shape, never the on switch.
    expect(users.enabled).toBe(false);
    expect(users.strategies.map((s) => [s.name, s.parameters])).toEqual([['flexibleRollout', { rollout: '35', stickiness: 'userId', groupId: 'users.reads' }]]);
    const tokens = await fetch(`${again.unleashUrl}/api/admin/api-tokens`, { headers: { authorization: again.adminToken } });
    expect(tokens.status).toBe(200);
    const listed = ((await tokens.json()) as { tokens: Array<{ tokenName: string }> }).tokens.map((t) => t.tokenName).sort();
    expect(listed).toEqual(['strangler-admin', 'strangler-edge']);
    expect(secret(again.ctx, ADMIN_TOKEN_SECRET_KEY)).not.toBe(secret(again.ctx, CLIENT_TOKEN_SECRET_KEY));
  }, 240_000);
});

describe('ensureFlag on the shared test Unleash (isolated flags)', () => {
  const flags: TestFlag[] = [];
  afterAll(async () => {
    for (const flag of flags) await flag.remove();
  });

  it('creates the flag in shape at 0%; ensuring again changes nothing', async () => {
    const flag = await createTestFlag('ensure');
    flags.push(flag);
    expect(flag.ensured).toMatchObject({ created: true, state: { enabled: true, rollout: 0, stickiness: 'userId', groupId: flag.name } });
    const before = await environmentOf(flag.unleash.unleashUrl, flag.unleash.adminToken, flag.name);
    const again = await flag.admin.ensureFlag(flag.name);
    expect(again).toMatchObject({ created: false, changes: [] });
    expect(await environmentOf(flag.unleash.unleashUrl, flag.unleash.adminToken, flag.name)).toEqual(before);
  });

  it('does not reset a changed rollout, but restores stickiness/groupId and the enabled switch', async () => {
    const flag = await createTestFlag('keep-rollout');
    flags.push(flag);
    const [strategy] = (await environmentOf(flag.unleash.unleashUrl, flag.unleash.adminToken, flag.name)).strategies;
    const base = `${flag.unleash.unleashUrl}/api/admin/projects/default/features/${flag.name}/environments/development`;
    const drift = await fetch(`${base}/strategies/${strategy?.id}`, {
      method: 'PUT',
      headers: { authorization: flag.unleash.adminToken, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'flexibleRollout', parameters: { rollout: '60', stickiness: 'random', groupId: 'other' }, constraints: [] }),
    });
    expect(drift.status).toBe(200);
    expect((await fetch(`${base}/off`, { method: 'POST', headers: { authorization: flag.unleash.adminToken } })).status).toBe(200);

    const result = await flag.admin.ensureFlag(flag.name);
    expect(result.changes).toEqual(['restored stickiness/groupId of the rollout strategy']);
    const env = await environmentOf(flag.unleash.unleashUrl, flag.unleash.adminToken, flag.name);
    // Switched off (a `strangler kill`) stays off: ensuring on every start must not undo a kill.
    expect(env.enabled).toBe(false);
    expect(env.strategies.map((s) => [s.id, s.parameters])).toEqual([[strategy?.id, { rollout: '60', stickiness: 'userId', groupId: flag.name }]]);
  });

  it('the client token fetches the flags (GET /api/client/features)', async () => {
    const flag = await createTestFlag('client');
    flags.push(flag);
    await flag.admin.setRollout(flag.name, 15);
    const feature = (await clientFeatures(flag.unleash.unleashUrl, flag.unleash.clientToken)).find((f) => f.name === flag.name);
    expect(feature).toMatchObject({ enabled: true, strategies: [{ name: 'flexibleRollout', parameters: { rollout: '15', stickiness: 'userId', groupId: flag.name } }] });
    const anonymous = await fetch(`${flag.unleash.unleashUrl}/api/client/features`);
    expect(anonymous.status).toBe(401);
  });
});
