import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { freePort } from '@strangler/testkit/ports';
import { migrateToLatest } from './db/migrations.js';
import { signTestToken, TEST_JWT_SECRET } from './testing/test-app.js';

const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const nodeArgs = ['--conditions=development', '--import', 'tsx', 'src/server.ts'];

/** `npm start -w new-services/users` as a real process: config fail-fast, readiness, JSON logs, graceful SIGTERM. */
// Each test starts `node --import tsx` processes: on a loaded 2-core machine one takes 10-20 s to start, so the
// 30 s default test timeout is too tight (the processes' own limits still bound each run).
describe('users service process', { timeout: 180_000 }, () => {
  let database: TestDatabase;
  let server: ChildProcess | undefined;
  let output = '';
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    database = await createTestDatabase('users_svc_server');
    await migrateToLatest(database.db);
    env = {
      PATH: process.env.PATH,
      DB_HOST: database.connection.host,
      DB_PORT: String(database.connection.port),
      DB_USER: database.connection.user,
      DB_PASSWORD: database.connection.password,
      DB_NAME: database.connection.database,
    };
  });

  afterAll(async () => {
    if (server && server.exitCode === null) server.kill('SIGKILL');
    await database.drop();
  });

  it('refuses to start with invalid configuration: exit 1, every problem listed, the secret not echoed', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
      execFile(process.execPath, nodeArgs, { cwd: serviceDir, env: { ...env, JWT_SECRET: 'short-secret-value', PORT: 'eighty' }, timeout: 90_000 }, (error, _stdout, stderr) =>
        resolve({ code: error && typeof error.code === 'number' ? error.code : 0, stderr }),
      );
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Invalid configuration');
    expect(result.stderr).toContain('JWT_SECRET=<secret> is invalid');
    expect(result.stderr).toContain('PORT="eighty" is invalid');
    expect(result.stderr).not.toContain('short-secret-value');
  });

  it('serves the API with tokens from the shared secret, logs JSON with request ids, and exits 0 on SIGTERM', async () => {
    // Checked free and outside the range client sockets take their ports from (a random guess may be taken).
    const port = await freePort();
    server = spawn(process.execPath, nodeArgs, { cwd: serviceDir, env: { ...env, PORT: String(port), JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info' } });
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
      headers: { 'content-type': 'application/json', 'x-request-id': 'server-test-1' },
      body: JSON.stringify({ email: 'process@example.com', fullName: 'Process', password: 'long-enough-password' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const patched = await fetch(`${base}/api/users/${id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await signTestToken(id)}` },
      body: JSON.stringify({ fullName: 'Renamed' }),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { fullName: string }).fullName).toBe('Renamed');

    server.kill('SIGTERM');
    // 'close', not 'exit': only then has all of its stdout been read.
    const [code] = (await once(server, 'close')) as [number | null];
    expect(code).toBe(0);

    const entries = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(expect.objectContaining({ service: 'users', msg: 'listening', port }));
    expect(entries).toContainEqual(expect.objectContaining({ reqId: 'server-test-1', url: '/api/users', status: 201 }));
    // Present and flushed before exit (as in the catalog's test). Not necessarily the very last line: the access-log
    // line of the last request is written on the response's 'finish', which can land after the drain on a busy machine.
    expect(entries.map((entry) => entry.msg)).toEqual(expect.arrayContaining(['shutting down: draining in-flight requests', 'shutdown complete']));
  });
});
