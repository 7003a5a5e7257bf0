import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { generateCatalog } from './catalog-seed.js';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a catalog CLI exactly as its npm script does, with the given DB_* environment. */
function runCli(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', script, ...args],
      { cwd: serviceDir, env: { ...process.env, ...env }, timeout: 60_000 },
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
describe('catalog migrate and seed CLIs', { timeout: 180_000 }, () => {
  let t: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase('catalog_cli');
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

  it('migrate applies the migration once, then reports nothing to do', async () => {
    const first = await migrateCli(env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toContain(`${env.DB_HOST}:${env.DB_PORT}/${env.DB_NAME}: applied 1 migration(s): 001-create-products`);
    expect(await t.db.schema.hasTable('products')).toBe(true);
    const second = await migrateCli(env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already up to date');
  });

  it('seed fills the database deterministically, reporting progress and a summary', async () => {
    const run = await seedCli(['--products', '25', '--seed', '7', '--batch', '10'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('seed: products 10/25 (40%)');
    expect(run.stderr).toContain('seed: products 25/25 (100%)');
    expect(run.stdout).toContain(`seeded ${env.DB_HOST}:${env.DB_PORT}/${env.DB_NAME} (seed 7)`);
    const rows = await t.db('products').orderBy('id');
    const expected = generateCatalog({ products: 25, seed: 7 });
    expect(rows).toHaveLength(25);
    expect(rows.map((row: { sku: string; stock_quantity: number }) => [row.sku, row.stock_quantity])).toEqual(expected.map((row) => [row.sku, row.stock_quantity]));
    expect(rows[0]).toMatchObject({ id: 1, legacy_id: 1, name: 'Vintage Oak Scarf', version: 1, stock_reserved: 0 });
  });

  it('refuses to seed a database that has products, with exit code 2 and nothing changed', async () => {
    const [before] = (await t.db.raw('CHECKSUM TABLE products')) as [Array<{ Checksum: number }>];
    const run = await seedCli(['--products', '5'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Refusing to seed: the database already has data (products: 25 rows)');
    const [after] = (await t.db.raw('CHECKSUM TABLE products')) as [Array<{ Checksum: number }>];
    expect(after).toEqual(before);
  });

  it('bad arguments exit 2 with usage; a bad configuration exits 1 naming the variable', async () => {
    const bad = await seedCli(['--products', 'lots'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--products must be a whole number');
    expect(bad.stderr).toContain('Usage:');
    const misconfigured = await migrateCli({ ...env, DB_PORT: 'not-a-port' });
    expect(misconfigured.code).toBe(1);
    expect(misconfigured.stderr).toContain('DB_PORT="not-a-port" is invalid');
    const unreachable = await seedCli(['--products', '1'], { ...env, DB_PASSWORD: 'wrong-password' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/seed: database error on .*ER_ACCESS_DENIED_ERROR/);
  });
});
