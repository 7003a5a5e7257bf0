import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './config.js';
import { freePort, isPortOpen } from './ports.js';
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

async function productsTotal(): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${legacyPort}/api/products`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { total: number };
  return body.total;
}

async function startAndWaitReady(): Promise<{ launcher: Launcher; table: ReturnType<typeof readyTable> }> {
  const launcher = cli('start');
  await launcher.waitFor(READY, 150_000);
  const table = readyTable(launcher.output());
  expect([...table.keys()].sort()).toEqual(['catalog', 'legacy', 'mariadb', 'users']);
  expect(table.get('mariadb')?.endpoint).toBe(`127.0.0.1:${mariadbPort}`);
  expect(table.get('legacy')?.endpoint).toBe(`http://127.0.0.1:${legacyPort}`);
  expect(table.get('users')?.endpoint).toBe(`http://127.0.0.1:${usersPort}`);
  expect(table.get('catalog')?.endpoint).toBe(`http://127.0.0.1:${catalogPort}`);
  for (const { pid } of table.values()) expect(isAlive(pid)).toBe(true);
  for (const port of [legacyPort, usersPort, catalogPort]) {
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status, `GET :${port}/ready`).toBe(200);
  }
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
  expect(existsSync(join(stackDir, 'launcher.pid'))).toBe(false);
}

beforeAll(async () => {
  // Short path: MariaDB's unix socket lives under it.
  stackDir = join(mkdtempSync(join(tmpdir(), 'stack-e2e-')), 's');
  const ports = new Set<number>();
  while (ports.size < 4) ports.add(await freePort());
  [mariadbPort, legacyPort, usersPort, catalogPort] = [...ports] as [number, number, number, number];
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    STACK_DIR: stackDir,
    MARIADB_PORT: String(mariadbPort),
    LEGACY_PORT: String(legacyPort),
    USERS_PORT: String(usersPort),
    CATALOG_PORT: String(catalogPort),
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
    for (const app of ['legacy', 'users', 'catalog']) expect(first.launcher.output()).toMatch(new RegExp(`✔ ${app}-seed\\s+done`));
    expect(await productsTotal()).toBe(SEED.products);

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
    for (const app of ['legacy', 'users', 'catalog']) expect(again.launcher.output()).toMatch(new RegExp(`↷ ${app}-seed\\s+skipped`));
    expect(again.launcher.output()).not.toMatch(/✔ legacy-seed\s+done/);
    expect(await productsTotal()).toBe(SEED.products);
    expect(readFileSync(secretsFile, 'utf8')).toBe(secrets);

    // A launcher that crashes (SIGKILL: no chance to clean up) leaves its children; the next start stops them first.
    again.launcher.child.kill('SIGKILL');
    await again.launcher.exited;
    for (const { pid } of again.table.values()) expect(isAlive(pid)).toBe(true);
    const afterCrash = await startAndWaitReady();
    expect(afterCrash.launcher.output()).toContain('■ stopped a legacy left running by an earlier launcher\n■ stopped a mariadb left running by an earlier launcher');
    for (const { pid } of again.table.values()) expect(isAlive(pid)).toBe(false);
    expect(await productsTotal()).toBe(SEED.products);
    await interruptAndCheckEverythingStopped(afterCrash.launcher, afterCrash.table);

    // Reset wipes the folder.
    const reset = cli('reset');
    expect(await reset.exited).toBe(0);
    expect(existsSync(stackDir)).toBe(false);
  }, 300_000);
});
