import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoSliceManifest, writeSliceManifests } from '@strangler/testkit/slices';
import { refusedUrl, startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { send, TEST_JWT_SECRET } from '../testing/test-edge.js';

const edgeDir = fileURLToPath(new URL('../..', import.meta.url));

interface Running {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

/** `npm start -w edge`, minus npm: the real entry point with the real slice manifests, as its own process. */
function startEdgeProcess(env: Record<string, string>): Running {
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'src/server.ts'], {
    cwd: edgeDir,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exited };
}

/** Resolves with the ports of the edge's "listening" log line as soon as it is written; rejects if the edge exits first. */
function listening(running: Running, timeoutMs = 60_000): Promise<{ port: number; adminPort: number }> {
  const found = (): { port: number; adminPort: number } | undefined => {
    for (const line of running.stdout) {
      let entry: { msg?: string; port?: number; adminPort?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        continue; // not a whole JSON line (a chunk can end mid-line): not the one we wait for
      }
      if (entry.msg === 'listening' && entry.port && entry.adminPort) return { port: entry.port, adminPort: entry.adminPort };
    }
    return undefined;
  };
  const output = () => `${running.stdout.join('\n')}\n${running.stderr.join('')}`;
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      clearTimeout(deadline);
      running.child.stdout?.off('data', onData);
      running.child.off('exit', onExit);
      outcome();
    };
    const onData = () => {
      const ports = found();
      if (ports) settle(() => resolve(ports));
    };
    const onExit = (code: number | null) => settle(() => reject(new Error(`edge exited (${code}) before listening:\n${output()}`)));
    // A bound for a broken start only: a loaded machine's slow tsx start is well within it.
    const deadline = setTimeout(() => settle(() => reject(new Error(`edge not listening after ${timeoutMs} ms:\n${output()}`))), timeoutMs);
    // Added after the listener that fills running.stdout, so it sees each chunk's lines already recorded.
    running.child.stdout?.on('data', onData);
    running.child.on('exit', onExit);
    onData();
  });
}

/** Pids of a process's children (the proxy workers of a primary). */
async function childPids(pid: number): Promise<number[]> {
  const children: number[] = [];
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '');
    children.push(...text.split(' ').filter(Boolean).map(Number));
  }
  return children;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls a condition; the deadline bounds a broken edge only (a worker's tsx start on a loaded machine takes seconds). */
async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// Real processes, each started through tsx (several seconds on a loaded 2-core machine, more for a primary and its
// workers): every wait inside is for a condition, and this bound is for a broken start only.
describe('the edge process', { timeout: 180_000 }, () => {
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    [legacy, users] = await Promise.all([startFakeUpstream('legacy'), startFakeUpstream('users')]);
    dir = mkdtempSync(join(tmpdir(), 'edge-process-'));
    env = {
      EDGE_WORKERS: '1',
      EDGE_PORT: '0',
      EDGE_ADMIN_PORT: '0',
      JWT_SECRET: TEST_JWT_SECRET,
      LEGACY_URL: legacy.url,
      USERS_URL: users.url,
      CATALOG_URL: users.url,
      UNLEASH_URL: `${await refusedUrl()}/api`,
      FLAG_SNAPSHOT_DIR: dir,
    };
  });

  afterAll(async () => {
    await Promise.all([legacy.close(), users.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts from the real route table, proxies, reports ready without flags, and drains on SIGTERM', async () => {
    const running = startEdgeProcess(env);
    try {
      const { port, adminPort } = await listening(running);
      const ready = await send(`http://127.0.0.1:${adminPort}`, '/ready');
      expect(ready.json()).toEqual({ status: 'ready', flags: 'none', note: 'no flags: all legacy' });
      const reply = await send(`http://127.0.0.1:${port}`, '/api/users/1');
      expect(reply.status).toBe(200);
      expect(reply.headers['x-strangler-backend']).toBe('legacy');
      expect(legacy.received.map((r) => r.url)).toContain('/api/users/1');

      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
      expect(running.stdout.some((line) => line.includes('"shutdown complete"'))).toBe(true);
    } finally {
      running.child.kill('SIGKILL');
    }
  });

  it('with EDGE_WORKERS=2: forks two proxy workers, sums their metrics, replaces a crashed one, and drains all on SIGTERM', async () => {
    const running = startEdgeProcess({ ...env, EDGE_WORKERS: '2' });
    try {
      const { port, adminPort } = await listening(running);
      const admin = `http://127.0.0.1:${adminPort}`;
      expect((await send(admin, '/ready')).json()).toEqual({ status: 'ready', flags: 'none', note: 'no flags: all legacy', workers: 2 });
      const workerPids = await childPids(running.child.pid ?? 0);
      expect(workerPids).toHaveLength(2);

      // send() opens a connection per request, and the primary deals connections out to the workers round-robin.
      for (let i = 1; i <= 6; i++) {
        const reply = await send(`http://127.0.0.1:${port}`, `/api/users/${i}`);
        expect(reply.status).toBe(200);
      }
      const metrics = await send(admin, '/metrics');
      const served = [...metrics.text.matchAll(/^edge_requests_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
      expect(served).toBe(6);

      // A worker that dies is logged and replaced; the edge is ready again with two.
      process.kill(workerPids[0] ?? 0, 'SIGKILL');
      await until(async () => (await childPids(running.child.pid ?? 0)).filter((pid) => !workerPids.includes(pid)).length === 1);
      expect(running.stdout.some((line) => line.includes('"proxy worker exited unexpectedly"'))).toBe(true);
      await until(async () => (await send(admin, '/ready')).status === 200);
      expect((await send(`http://127.0.0.1:${port}`, '/api/users/1')).status).toBe(200);

      const workersNow = await childPids(running.child.pid ?? 0);
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
      expect(running.stdout.filter((line) => line.includes('"shutdown complete"'))).toHaveLength(3);
      for (const pid of workersNow) expect(isAlive(pid), `worker ${pid} still running`).toBe(false);
    } finally {
      running.child.kill('SIGKILL');
    }
  });

  it('refuses to start on an invalid slice manifest, saying what is wrong', async () => {
    const slices = writeSliceManifests(join(dir, 'slices'), [{ ...repoSliceManifest('users'), urls: { legacy: 'http://127.0.0.1:3000', service: 'ftp://x' }, routes: { reads: [], writes: [] } }]);
    const running = startEdgeProcess({ ...env, SLICES_DIR: slices });
    expect(await running.exited).toBe(1);
    const output = running.stderr.join('');
    expect(output).toContain(`SLICES_DIR=${slices}: users.json`);
    expect(output).toContain('urls.service');
    expect(output).toContain('a slice needs at least one read route');
  });

  it('refuses to start on invalid configuration, listing every problem', async () => {
    const running = startEdgeProcess({ ...env, JWT_SECRET: 'short', EDGE_PORT: 'eighty', USERS_URL: 'not a url' });
    expect(await running.exited).toBe(1);
    const output = running.stderr.join('');
    expect(output).toContain('JWT_SECRET=<secret> is invalid');
    expect(output).toContain('EDGE_PORT="eighty" is invalid');
    expect(output).toContain('USERS_URL="not a url" is invalid');
    expect(output).not.toContain('short');
  });
});
