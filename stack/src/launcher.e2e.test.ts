import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './config.js';
import { TEST_CDC_JARS_DIR } from './testing/cdc-stack.js';
import { freePort } from '@strangler/testkit/ports';
import { isPortOpen } from './ports.js';
import { isAlive } from './processes.js';

/**
 * The real `npm start`: the launcher as a child process, on a temp STACK_DIR and free ports, with small seed
 * sizes. Needs mariadbd and the legacy migrate/seed CLIs.
 */
const SEED = { users: 50, products: 20, orders: 50 };
const READY = 'Press Ctrl-C to stop everything.';

let stackDir: string;
let env: NodeJS.ProcessEnv;
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
const launched: Launcher[] = [];
const printedPids = new Set<number>();

interface Launcher {
  child: ChildProcess;
  output(): string;
  waitFor(text: string, timeoutMs: number): Promise<void>;
  exited: Promise<number | null>;
}

function cli(...args: string[]): Launcher {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'stack/src/cli.ts', ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const launcher: Launcher = {
    child,
    output: () => output,
    async waitFor(text, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (exitCode !== undefined) throw new Error(`launcher exited (${exitCode}) before printing "${text}":\n${output}`);
        if (Date.now() > deadline) throw new Error(`launcher did not print "${text}" within ${timeoutMs} ms:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    exited,
  };
  launched.push(launcher);
  return launcher;
}

/** The summary table's rows: component → endpoint and pid. */
function readyTable(output: string): Map<string, { endpoint: string; pid: number; log: string }> {
  const rows = new Map<string, { endpoint: string; pid: number; log: string }>();
  const table = output.slice(output.lastIndexOf('component  '));
  for (const match of table.matchAll(/^(\S+)\s+(\S+)\s+(\d+)\s+(\S+)$/gm)) {
    const pid = Number(match[3]);
    rows.set(match[1] as string, { endpoint: match[2] as string, pid, log: match[4] as string });
    printedPids.add(pid);
  }
  return rows;
}

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

async function startAndWaitReady(): Promise<{ launcher: Launcher; table: ReturnType<typeof readyTable> }> {
  const launcher = cli('start');
  await launcher.waitFor(READY, 240_000);
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

async function interruptAndCheckEverythingStopped(launcher: Launcher, table: ReturnType<typeof readyTable>): Promise<void> {
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
  // Short path: MariaDB's unix socket lives under it.
  stackDir = join(mkdtempSync(join(tmpdir(), 'stack-e2e-')), 's');
  // PostgreSQL runs as the `postgres` OS user when the tests run as root: it must be able to pass through.
  chmodSync(join(stackDir, '..'), 0o711);
  const ports = new Set<number>();
  while (ports.size < 14) ports.add(await freePort());
  [
    mariadbPort,
    legacyPort,
    usersPort,
    catalogPort,
    nginxPort,
    edgePort,
    postgresPort,
    unleashPort,
    edgeAdminPort,
    kafkaPort,
    kafkaControllerPort,
    connectPort,
    usersProjectorPort,
    catalogProjectorPort,
  ] = [...ports] as number[] as [number, number, number, number, number, number, number, number, number, number, number, number, number, number];
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    STACK_DIR: stackDir,
    MARIADB_PORT: String(mariadbPort),
    LEGACY_PORT: String(legacyPort),
    USERS_PORT: String(usersPort),
    CATALOG_PORT: String(catalogPort),
    NGINX_PORT: String(nginxPort),
    EDGE_PORT: String(edgePort),
    EDGE_ADMIN_PORT: String(edgeAdminPort),
    POSTGRES_PORT: String(postgresPort),
    UNLEASH_PORT: String(unleashPort),
    KAFKA_PORT: String(kafkaPort),
    KAFKA_CONTROLLER_PORT: String(kafkaControllerPort),
    CONNECT_PORT: String(connectPort),
    USERS_PROJECTOR_PORT: String(usersProjectorPort),
    CATALOG_PROJECTOR_PORT: String(catalogProjectorPort),
    // The jars the test run fetched already (same pom): no second copy from Maven's cache.
    CDC_JARS_DIR: TEST_CDC_JARS_DIR,
    STACK_SEED_USERS: String(SEED.users),
    STACK_SEED_PRODUCTS: String(SEED.products),
    STACK_SEED_ORDERS: String(SEED.orders),
    STACK_LOG_LEVEL: 'warn',
    NO_COLOR: '1',
  };
});

afterAll(async () => {
  // If an assertion failed midway: stop the launcher properly, then make sure nothing it printed survives.
  for (const launcher of launched) {
    if (launcher.child.exitCode === null && launcher.child.signalCode === null) {
      launcher.child.kill('SIGINT');
      await launcher.exited;
    }
  }
  for (const pid of printedPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(join(stackDir, '..'), { recursive: true, force: true });
}, 120_000);

describe('npm start (the real launcher)', () => {
  it('starts, seeds once, stops cleanly on Ctrl-C, restarts on the same data, and resets', async () => {
    // First start: a fresh data dir, migrations, the seed.
    const first = await startAndWaitReady();
    expect(first.launcher.output()).toContain('initialised a new data directory');
    expect(first.launcher.output()).toMatch(/✔ legacy-migrate\s+done/);
    expect(first.launcher.output()).toMatch(/✔ legacy-seed\s+done/);
    expect(first.launcher.output()).toContain('formatted new KRaft storage');
    expect(first.launcher.output()).toMatch(/✔ cdc-connector\s+done/);
    expect(await productsTotal()).toBe(SEED.products);

    // CDC: the extracted services hold the monolith's rows (snapshot), and a user created through legacy appears in
    // users_svc within a second.
    await waitForCount('users_svc', 'accounts', SEED.users, 60_000);
    await waitForCount('catalog_svc', 'products', SEED.products, 60_000);
    const created = await fetch(`http://127.0.0.1:${legacyPort}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'cdc-launcher@example.com', fullName: 'Via CDC', password: 'password-123' }),
    });
    expect(created.status).toBe(201);
    const createdAt = Date.now();
    const { id } = (await created.json()) as { id: number };
    let visibleAfterMs: number | undefined;
    while (Date.now() - createdAt < 5_000) {
      const user = await fetch(`http://127.0.0.1:${usersPort}/api/users/${id}`);
      await user.arrayBuffer();
      if (user.status === 200) {
        visibleAfterMs = Date.now() - createdAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(visibleAfterMs, 'a user created in legacy is served by the users service').toBeDefined();
    expect(visibleAfterMs).toBeLessThan(1_000);

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
  }, 600_000);
});
