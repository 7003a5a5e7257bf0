import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { freePort } from '@strangler/testkit/ports';

const run = promisify(execFile);
const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tsc = join(repo, 'node_modules', '.bin', 'tsc');

/**
 * The Docker image runs compiled JavaScript with plain `node` (no tsx, no "development" export condition).
 * Build exactly that and run it: migrations via the compiled CLI, then the server, then SIGTERM.
 */
// Each test starts `node --import tsx` processes: on a loaded 2-core machine one takes 10-20 s to start, so the
// 30 s default test timeout is too tight (the processes' own limits still bound each run).
describe('legacy compiled to JavaScript (what the Dockerfile runs)', { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let server: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    database = await createTestDatabase('legacy_compiled');
    await run(tsc, ['-p', 'platform/tsconfig.build.json'], { cwd: repo });
    await run(tsc, ['-p', 'legacy/tsconfig.build.json'], { cwd: repo });
  }, 180_000);

  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await database.drop();
  });

  it('migrates, serves requests, and exits 0 on SIGTERM', async () => {
    const env = {
      PATH: process.env.PATH,
      DB_HOST: database.connection.host,
      DB_PORT: String(database.connection.port),
      DB_USER: database.connection.user,
      DB_PASSWORD: database.connection.password,
      DB_NAME: database.connection.database,
    };
    await run('node', ['legacy/dist/db/migrate-cli.js'], { cwd: repo, env });
    expect(await database.db.schema.hasTable('orders')).toBe(true);

    // Checked free and outside the range client sockets take their ports from (a random guess may be taken).
    const port = await freePort();
    server = spawn('node', ['legacy/dist/server.js'], {
      cwd: repo,
      env: { ...env, PORT: String(port), JWT_SECRET: 'compiled-build-test-secret-0123456789', LOG_LEVEL: 'info' },
    });
    server.stdout?.on('data', (chunk: Buffer) => (output += String(chunk)));
    server.stderr?.on('data', (chunk: Buffer) => (output += String(chunk)));

    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 90_000;
    let ready = false;
    while (!ready && Date.now() < deadline && server.exitCode === null) {
      ready = await fetch(`${base}/ready`).then((r) => r.ok, () => false);
      if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(ready, output).toBe(true);

    const created = await fetch(`${base}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'compiled@example.com', fullName: 'Compiled Build', password: 'long-enough-password' }),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { email: string }).email).toBe('compiled@example.com');

    // Every log line is one JSON object.
    for (const line of output.trim().split('\n')) expect(() => JSON.parse(line), line).not.toThrow();

    server.kill('SIGTERM');
    // 'close', not 'exit': only then has all of its stdout been read.
    const [code] = (await once(server, 'close')) as [number | null];
    expect(code).toBe(0);
    expect(output).toMatch(/shutdown complete/);
  });
});
