import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { countExistingRows } from './seed-writer.js';

const legacyDir = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a legacy CLI exactly as its npm script does, with the given DB_* environment. */
function runCli(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', script, ...args],
      { cwd: legacyDir, env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const seedCli = (args: string[], env: Record<string, string>) => runCli('src/seed/seed-cli.ts', args, env);
const migrateCli = (env: Record<string, string>) => runCli('src/db/migrate-cli.ts', [], env);

// Each test starts `node --import tsx` processes: on a loaded 2-core machine one takes 10-20 s to start, so the
// 30 s default test timeout is too tight (the processes' own limits still bound each run).
describe('migrate and seed CLIs', { timeout: 180_000 }, () => {
  let t: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase('legacy_seed_cli');
    env = {
      DB_HOST: t.connection.host,
      DB_PORT: String(t.connection.port),
      DB_USER: t.connection.user,
      DB_PASSWORD: t.connection.password,
      DB_NAME: t.connection.database,
    };
  });

  afterAll(async () => {
    await t?.drop();
  });

  it('migrate applies the migrations once, then reports nothing to do', async () => {
    const first = await migrateCli(env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`${env.DB_HOST}:${env.DB_PORT}/${env.DB_NAME}: applied 3 migration(s): 001-create-users, 002-create-catalog, 003-create-orders`);
    expect(await t.db.schema.hasTable('order_items')).toBe(true);

    const second = await migrateCli(env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already up to date');
  });

  it('seed fills the database, prints plain progress when stderr is not a terminal, and a summary', async () => {
    const run = await seedCli(['--users', '30', '--products', '10', '--orders', '40', '--batch', '7'], env);
    expect(run.code).toBe(0);
    const counts = await countExistingRows(t.db);
    expect(counts).toMatchObject({ users: 30, products: 10, inventory: 10, orders: 40 });
    expect(run.stderr).toContain('seed: users 30/30 (100%)');
    expect(run.stderr).toContain(`seed: order_items ${counts.order_items}/${counts.order_items} (100%)`);
    expect(run.stdout).toContain(`seeded ${env.DB_HOST}:${env.DB_PORT}/${env.DB_NAME} (seed 42)`);
    expect(run.stdout).toMatch(/users\s+30\n/);
    expect(run.stdout).toMatch(new RegExp(`order_items\\s+${counts.order_items}\\n`));
    expect(run.stdout).toContain('demo-password');
  });

  it('refuses to seed the same database again, with exit code 2', async () => {
    const before = await countExistingRows(t.db);
    const run = await seedCli(['--users', '30', '--products', '10', '--orders', '40'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Refusing to seed: the database already has data (users: 30 rows');
    expect(await countExistingRows(t.db)).toEqual(before);
  });

  it('rejects bad arguments with the usage and exit code 2, before touching the database', async () => {
    const run = await seedCli(['--users', '0', '--orders', 'lots'], { ...env, DB_PORT: '1' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--users must be at least 1; --orders must be a whole number');
    expect(run.stderr).toContain('Usage: npm run seed');
  });

  it('prints help with exit code 0', async () => {
    const run = await seedCli(['--help'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--seed <n>');
  });

  it('reports configuration errors with exit code 1', async () => {
    for (const run of [await seedCli([], { ...env, DB_PORT: 'abc' }), await migrateCli({ ...env, DB_PORT: 'abc' })]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Invalid configuration');
      expect(run.stderr).toContain('DB_PORT="abc" is invalid');
    }
  });

  it('names the database it could not reach, with exit code 1', async () => {
    const down = { ...env, DB_PORT: '1' };
    const seed = await seedCli(['--users', '1', '--products', '1', '--orders', '1'], down);
    expect(seed.code).toBe(1);
    expect(seed.stderr).toContain(`database error on ${env.DB_HOST}:1/${env.DB_NAME}`);
    expect(seed.stderr).toContain('ECONNREFUSED');
    const migrate = await migrateCli({ ...env, DB_PASSWORD: 'wrong-password' });
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toContain(`cannot migrate ${env.DB_HOST}:${env.DB_PORT}/${env.DB_NAME} (user ${env.DB_USER})`);
    expect(migrate.stderr).toContain('Access denied');
  });
});
