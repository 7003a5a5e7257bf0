import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLaunchedStack, READY_LINE, type LaunchedStack, type LauncherRun } from './testing/launched-stack.js';
import { isPortOpen } from './ports.js';
import { isAlive, waitUntil } from './processes.js';

/**
 * The real `npm start`: the launcher as a child process, on a temp STACK_DIR and free ports, with small seed
 * sizes. Needs mariadbd and the legacy migrate/seed CLIs.
 */
const SEED = { users: 50, products: 20, orders: 50 };

let stack: LaunchedStack;
let stackDir: string;
let mariadbPort: number;
let legacyPort: number;
let usersPort: number;
let catalogPort: number;
let nginxPort: number;
let edgePort: number;
let edgeAdminPort: number;
let postgresPort: number;
let unleashPort: number;
let kafkaPort: number;
let kafkaControllerPort: number;
let connectPort: number;
let usersProjectorPort: number;
let catalogProjectorPort: number;

const cli = (...args: string[]) => stack.cli(...args);
const readyTable = (output: string) => stack.readyTable(output);

/** Waits until a service database's table holds `count` rows (the CDC projectors fill them). */
async function waitForCount(database: string, table: string, count: number, timeoutMs: number): Promise<void> {
  const secrets = JSON.parse(readFileSync(join(stackDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  const connection = await mysql.createConnection({ host: '127.0.0.1', port: mariadbPort, user: database, password: secrets[`mariadb.${database}.password`], database });
  try {
    const deadline = Date.now() + timeoutMs;
    let last = -1;
    while (Date.now() < deadline) {
      const [rows] = await connection.query(`SELECT COUNT(*) AS n FROM \`${table}\``);
      last = Number((rows as Array<{ n: number }>)[0]?.n);
      if (last === count) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`${database}.${table} holds ${last} rows, not ${count}, after ${timeoutMs} ms`);
  } finally {
    await connection.end();
  }
}

async function productsTotal(): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${legacyPort}/api/products`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { total: number };
  return body.total;
}

/** The slices' flags as the edge reads them, with the client token the launcher created. */
async function clientFlags(): Promise<Map<string, { enabled: boolean; rollout?: string }>> {
  const secrets = JSON.parse(readFileSync(join(stackDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  const response = await fetch(`http://127.0.0.1:${unleashPort}/api/client/features`, { headers: { authorization: secrets['unleash.clientToken'] ?? '' } });
  expect(response.status).toBe(200);
  const { features } = (await response.json()) as { features: Array<{ name: string; enabled: boolean; strategies: Array<{ parameters: Record<string, string> }> }> };
  return new Map(features.map((f) => [f.name, { enabled: f.enabled, rollout: f.strategies[0]?.parameters.rollout }]));
}

async function startAndWaitReady(): Promise<{ launcher: LauncherRun; table: ReturnType<typeof readyTable> }> {
  const launcher = cli('start');
  await launcher.waitFor(READY_LINE, 240_000);
  const table = readyTable(launcher.output());
  expect([...table.keys()].sort()).toEqual([
    'catalog',
    'catalog-projector',
    'edge',
    'kafka',
    'kafka-connect',
    'legacy',
    'mariadb',
    'nginx',
    'postgres',
    'unleash',
    'users',
    'users-projector',
  ]);
  expect(table.get('kafka')?.endpoint).toBe(`127.0.0.1:${kafkaPort}`);
  expect(table.get('kafka-connect')?.endpoint).toBe(`http://127.0.0.1:${connectPort}`);
  expect(table.get('edge')?.endpoint).toBe(`http://127.0.0.1:${edgePort}`);
  expect(table.get('mariadb')?.endpoint).toBe(`127.0.0.1:${mariadbPort}`);
  expect(table.get('legacy')?.endpoint).toBe(`http://127.0.0.1:${legacyPort}`);
  expect(table.get('users')?.endpoint).toBe(`http://127.0.0.1:${usersPort}`);
  expect(table.get('catalog')?.endpoint).toBe(`http://127.0.0.1:${catalogPort}`);
  expect(table.get('nginx')?.endpoint).toBe(`http://127.0.0.1:${nginxPort}`);
  expect(table.get('postgres')?.endpoint).toBe(`127.0.0.1:${postgresPort}`);
  expect(table.get('unleash')?.endpoint).toBe(`http://127.0.0.1:${unleashPort}`);
  expect((await fetch(`http://127.0.0.1:${unleashPort}/health`)).status).toBe(200);
  for (const { pid } of table.values()) expect(isAlive(pid)).toBe(true);
  for (const port of [legacyPort, usersPort, catalogPort, usersProjectorPort, catalogProjectorPort]) {
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status, `GET :${port}/ready`).toBe(200);
  }
  expect((await fetch(`http://127.0.0.1:${edgeAdminPort}/ready`)).status).toBe(200);
  // The whole path: nginx → edge → legacy (every flag starts at 0%), the edge naming the backend that served.
  const throughNginx = await fetch(`http://127.0.0.1:${nginxPort}/api/products`);
  expect(throughNginx.status).toBe(200);
  expect(throughNginx.headers.get('x-strangler-backend')).toBe('legacy');
  expect(((await throughNginx.json()) as { total: number }).total).toBeGreaterThan(0);
  return { launcher, table };
}

async function interruptAndCheckEverythingStopped(launcher: LauncherRun, table: ReturnType<typeof readyTable>): Promise<void> {
  launcher.child.kill('SIGINT');
  expect(await launcher.exited).toBe(0);
  expect(launcher.output()).toContain('Stopped.');
  for (const { pid } of table.values()) expect(isAlive(pid)).toBe(false);
  expect(await isPortOpen(mariadbPort)).toBe(false);
  expect(await isPortOpen(legacyPort)).toBe(false);
  expect(await isPortOpen(usersPort)).toBe(false);
  expect(await isPortOpen(catalogPort)).toBe(false);
  expect(await isPortOpen(nginxPort)).toBe(false);
  expect(await isPortOpen(edgePort)).toBe(false);
  expect(await isPortOpen(edgeAdminPort)).toBe(false);
  expect(await isPortOpen(postgresPort)).toBe(false);
  expect(await isPortOpen(unleashPort)).toBe(false);
  for (const port of [kafkaPort, kafkaControllerPort, connectPort, usersProjectorPort, catalogProjectorPort]) expect(await isPortOpen(port), String(port)).toBe(false);
  expect(existsSync(join(stackDir, 'launcher.pid'))).toBe(false);
}

beforeAll(async () => {
  // A 0700 mktemp folder: as root, the postgres OS user cannot pass through (like a clone under /root), and
  // `npm start` must work anyway.
  stack = await createLaunchedStack({ seed: SEED });
  stackDir = stack.stackDir;
  mariadbPort = stack.port('MARIADB_PORT');
  legacyPort = stack.port('LEGACY_PORT');
  usersPort = stack.port('USERS_PORT');
  catalogPort = stack.port('CATALOG_PORT');
  nginxPort = stack.port('NGINX_PORT');
  edgePort = stack.port('EDGE_PORT');
  edgeAdminPort = stack.port('EDGE_ADMIN_PORT');
  postgresPort = stack.port('POSTGRES_PORT');
  unleashPort = stack.port('UNLEASH_PORT');
  kafkaPort = stack.port('KAFKA_PORT');
  kafkaControllerPort = stack.port('KAFKA_CONTROLLER_PORT');
  connectPort = stack.port('CONNECT_PORT');
  usersProjectorPort = stack.port('USERS_PROJECTOR_PORT');
  catalogProjectorPort = stack.port('CATALOG_PROJECTOR_PORT');
});

afterAll(() => stack.cleanup(), 120_000);

describe('npm start (the real launcher)', () => {
  it('starts, seeds once, stops cleanly on Ctrl-C, restarts on the same data, and resets', async () => {
    // First start: a fresh data dir, migrations, the seed.
    const first = await startAndWaitReady();
    expect(first.launcher.output()).toContain('initialised a new data directory');
    expect(first.launcher.output()).toMatch(/✔ legacy-migrate\s+done/);
    expect(first.launcher.output()).toMatch(/✔ legacy-seed\s+done/);
    expect(first.launcher.output()).toContain('formatted new KRaft storage');
    expect(first.launcher.output()).toMatch(/✔ cdc-connector\s+done/);
    // As root from a 0700 parent, PostgreSQL's files were moved where its OS user can reach them.
    const relocationRecord = join(stackDir, 'postgres', 'server-home');
    const relocatedTo = process.getuid?.() === 0 ? readFileSync(relocationRecord, 'utf8').trim() : undefined;
    if (relocatedTo) expect(first.launcher.output()).toContain(`PostgreSQL's data is in ${relocatedTo}`);
    expect(await productsTotal()).toBe(SEED.products);

    // CDC: the extracted services hold the monolith's rows (snapshot), and a user created through legacy appears in
    // users_svc.
    await waitForCount('users_svc', 'accounts', SEED.users, 60_000);
    await waitForCount('catalog_svc', 'products', SEED.products, 60_000);
    const created = await fetch(`http://127.0.0.1:${legacyPort}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'cdc-launcher@example.com', fullName: 'Via CDC', password: 'password-123' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    // How fast is bench:cdc's business; here only that it arrives (a loaded machine may take seconds).
    await waitUntil(
      `user ${id} served by the users service`,
      async () => {
        const user = await fetch(`http://127.0.0.1:${usersPort}/api/users/${id}`);
        await user.arrayBuffer();
        return user.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );

    // Secrets: private file, the app's account has only its own database, root has no TCP login.
    const secretsFile = join(stackDir, 'secrets.json');
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    const secrets = readFileSync(secretsFile, 'utf8');
    const legacyPassword = (JSON.parse(secrets) as Record<string, string>)['mariadb.legacy.password'] as string;
    expect(first.launcher.output()).not.toContain(legacyPassword);
    const asLegacy = await mysql.createConnection({ host: '127.0.0.1', port: mariadbPort, user: 'legacy', password: legacyPassword, database: 'legacy' });
    const [grants] = await asLegacy.query('SHOW GRANTS');
    await asLegacy.end();
    expect((grants as Array<Record<string, string>>).map((row) => Object.values(row)[0]).join('\n')).toMatch(
      /^GRANT USAGE ON \*\.\* TO `legacy`@`127\.0\.0\.1` IDENTIFIED BY PASSWORD '[^']+'\nGRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, REFERENCES, INDEX, ALTER, LOCK TABLES ON `legacy`\.\* TO `legacy`@`127\.0\.0\.1`$/,
    );
    await expect(mysql.createConnection({ host: '127.0.0.1', port: mariadbPort, user: 'root', password: '' })).rejects.toThrow(/Access denied/);

    // Unleash: a new cluster, tokens generated once and never printed in full, every slice's flag at 0%, on.
    expect(first.launcher.output()).toContain('initialised a new cluster (initdb)');
    const stored = JSON.parse(secrets) as Record<string, string>;
    for (const key of ['unleash.adminToken', 'unleash.clientToken', 'postgres.unleash.password']) {
      expect(stored[key], key).toBeDefined();
      expect(first.launcher.output()).not.toContain(stored[key]);
    }
    expect(first.launcher.output()).toContain(`admin token ${stored['unleash.adminToken']?.slice(0, 8)}…`);
    const flags = await clientFlags();
    expect(flags.get('users.reads')).toEqual({ enabled: true, rollout: '0' });
    expect(flags.get('catalog.reads')).toEqual({ enabled: true, rollout: '0' });
    // An operator's rollout survives restarts.
    const raised = await fetch(`http://127.0.0.1:${unleashPort}/api/admin/projects/default/features/users.reads/environments/development/strategies`, {
      headers: { authorization: stored['unleash.adminToken'] ?? '' },
    });
    const [rolloutStrategy] = (await raised.json()) as Array<{ id: string; parameters: Record<string, string> }>;
    const put = await fetch(`http://127.0.0.1:${unleashPort}/api/admin/projects/default/features/users.reads/environments/development/strategies/${rolloutStrategy?.id}`, {
      method: 'PUT',
      headers: { authorization: stored['unleash.adminToken'] ?? '', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'flexibleRollout', parameters: { ...rolloutStrategy?.parameters, rollout: '15' }, constraints: [] }),
    });
    expect(put.status).toBe(200);

    // One launcher per STACK_DIR; no reset under a running stack.
    const second = cli('start');
    expect(await second.exited).toBe(1);
    expect(second.output()).toContain(`Another launcher (pid ${first.launcher.child.pid}) is already running on ${stackDir}`);
    const earlyReset = cli('reset');
    expect(await earlyReset.exited).toBe(1);
    expect(earlyReset.output()).toContain('Refusing to reset a running stack');
    expect(existsSync(join(stackDir, 'secrets.json'))).toBe(true);

    await interruptAndCheckEverythingStopped(first.launcher, first.table);

    // Second start: same data, no re-initialisation, no second seed, same secrets.
    const again = await startAndWaitReady();
    expect(again.launcher.output()).not.toContain('initialised a new data directory');
    expect(again.launcher.output()).not.toContain('initialised a new cluster (initdb)');
    expect((await clientFlags()).get('users.reads')).toEqual({ enabled: true, rollout: '15' });
    expect(again.launcher.output()).toMatch(/↷ legacy-seed\s+skipped/);
    expect(again.launcher.output()).toMatch(/↷ cdc-jars\s+skipped/);
    expect(again.launcher.output()).not.toContain('formatted new KRaft storage');
    await waitForCount('users_svc', 'accounts', SEED.users + 1, 30_000);
    expect(again.launcher.output()).not.toMatch(/✔ legacy-seed\s+done/);
    expect(await productsTotal()).toBe(SEED.products);
    expect(readFileSync(secretsFile, 'utf8')).toBe(secrets);

    // A launcher that crashes (SIGKILL: no chance to clean up) leaves its children; the next start stops them first.
    again.launcher.child.kill('SIGKILL');
    await again.launcher.exited;
    for (const { pid } of again.table.values()) expect(isAlive(pid)).toBe(true);
    const afterCrash = await startAndWaitReady();
    expect(afterCrash.launcher.output()).toContain('■ stopped a legacy left running by an earlier launcher\n■ stopped a mariadb left running by an earlier launcher');
    expect(afterCrash.launcher.output()).toContain('■ stopped a nginx left running by an earlier launcher');
    expect(afterCrash.launcher.output()).toContain('■ stopped a unleash left running by an earlier launcher\n■ stopped a postgres left running by an earlier launcher');
    for (const { pid } of again.table.values()) expect(isAlive(pid)).toBe(false);
    expect(await productsTotal()).toBe(SEED.products);
    await interruptAndCheckEverythingStopped(afterCrash.launcher, afterCrash.table);

    // Reset wipes the folder.
    const reset = cli('reset');
    expect(await reset.exited).toBe(0);
    expect(existsSync(stackDir)).toBe(false);
    if (relocatedTo) {
      expect(reset.output()).toContain(`Removed ${relocatedTo}`);
      expect(existsSync(relocatedTo)).toBe(false);
    }
  }, 600_000);
});
