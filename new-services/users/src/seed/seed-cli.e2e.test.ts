import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { countAccounts } from './seed-accounts.js';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a CLI exactly as its npm script does, with the given DB_* environment. */
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
describe('migrate and seed CLIs', { timeout: 180_000 }, () => {
  let t: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = await createTestDatabase('users_svc_cli');
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
    expect(first.stdout).toContain(`${env.DB_HOST}:${env.DB_PORT}/${env.DB_NAME}: applied 1 migration(s): 001-create-accounts`);
    expect(await t.db.schema.hasTable('accounts')).toBe(true);
    const second = await migrateCli(env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already up to date');
  });

  it('seed --accounts N fills the database and prints a summary', async () => {
    const run = await seedCli(['--accounts', '30'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(await countAccounts(t.db)).toBe(30);
    expect(run.stderr).toContain('seed: accounts 30/30 (100%)');
    expect(run.stdout).toContain(`seeded ${env.DB_HOST}:${env.DB_PORT}/${env.DB_NAME}`);
    expect(run.stdout).toMatch(/accounts 30\n/);
    expect(run.stdout).toContain('demo-password');
  });

  it('refuses to seed a database that is not empty, with exit code 2', async () => {
    const run = await seedCli(['--accounts', '5'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Refusing to seed: the database already has data (accounts: 30 rows');
    expect(await countAccounts(t.db)).toBe(30);
  });

  it('answers bad arguments with usage and exit code 2, --help with exit code 0', async () => {
    const bad = await seedCli(['--accounts', 'lots'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--accounts must be a whole number');
    expect(bad.stderr).toContain('Usage:');
    const help = await seedCli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--accounts <n>');
  });

  it('reports an unreachable database with exit code 1', async () => {
    const run = await migrateCli({ ...env, DB_PASSWORD: 'wrong-password' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`migrate: cannot migrate ${env.DB_HOST}:${env.DB_PORT}/${env.DB_NAME} (user ${env.DB_USER})`);
    expect(run.stderr).toContain('ER_ACCESS_DENIED_ERROR');
  });
});
