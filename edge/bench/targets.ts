// The processes the bench measures: each server under test (and the upstream) in a process of its own, on free
// loopback ports, stopped by the bench — also on Ctrl-C (see stopAll).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  NGINX_BINARIES,
  NGINX_INSTALL_HINT,
  isNginxHealthy,
  prepareNginx,
  processGroupMembers,
  spawnNginx,
  stopNginx,
} from '@strangler/stack/components/nginx';
import { freePort } from '@strangler/testkit/ports';
import { findExecutable } from '@strangler/stack/prerequisites';
import { readLogTail, spawnManaged, stopPid, waitUntil, type ManagedProcess } from '@strangler/stack/processes';
import { snapshotFileFor } from '../src/flags/snapshot-storage.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EDGE_DIR = join(REPO_ROOT, 'edge');
const BENCH_DIR = join(EDGE_DIR, 'bench');
/** How `npm start -w edge` runs TypeScript; the bench's own servers run the same way, so they compare fairly. */
const TSX = ['--conditions=development', '--import', 'tsx'];

export interface Target {
  url: string;
  stop(): Promise<void>;
  /** The processes doing the target's work, for their CPU time. */
  pids(): number[];
  /** Anything worth printing about the run, read before the target stops. */
  describe?(): Promise<string>;
}

/**
 * CPU time (user + system, all threads) the processes have used so far, in ms; undefined where /proc cannot tell.
 * Per request it is a steadier figure than requests/s on a small, shared machine.
 */
export function cpuMs(pids: number[]): number | undefined {
  let ticks = 0;
  try {
    for (const pid of pids) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state …": utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
  } catch {
    return undefined;
  }
  // USER_HZ: 100 on every Linux this runs on.
  return pids.length > 0 ? ticks * 10 : undefined;
}

const running = new Set<() => Promise<void>>();
let stopping = false;

/** Registers a stop function until it has run; stopAll() runs whatever is left, newest first. */
function track(stop: () => Promise<void>): () => Promise<void> {
  const once = async () => {
    if (running.delete(once)) await stop();
  };
  running.add(once);
  return once;
}

/** Nothing new is started once the bench is stopping (Ctrl-C may arrive while a target is starting). */
function assertNotStopping(): void {
  if (stopping) throw new Error('the bench is stopping');
}

export async function stopAll(): Promise<void> {
  stopping = true;
  while (running.size > 0) {
    for (const stop of [...running].reverse()) await stop().catch((error: unknown) => console.error(error));
  }
}

async function waitFor(what: string, child: ManagedProcess, check: () => Promise<boolean>): Promise<void> {
  try {
    await waitUntil(what, check, { timeoutMs: 20_000, intervalMs: 100, process: child });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${readLogTail(child.logFile, 20, child.logOffset)}`);
  }
}

async function answers(url: string, expect = 200): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return response.status === expect;
}

function startNode(name: string, args: string[], options: { logDir: string; cwd?: string; env?: NodeJS.ProcessEnv }): Target & { child: ManagedProcess } {
  assertNotStopping();
  const child = spawnManaged({
    name,
    command: process.execPath,
    args: [...TSX, ...args],
    cwd: options.cwd ?? REPO_ROOT,
    // A clean environment: nothing from the caller's shell (LOG_LEVEL, RATE_LIMIT_RPS, …) changes what is measured.
    env: { NODE_ENV: 'production', ...options.env },
    logFile: join(options.logDir, `${name}.log`),
    // Own process group: Ctrl-C reaches only the bench, which stops its children itself.
    detached: true,
  });
  return { child, url: '', stop: track(() => stopPid(child.pid, 10_000)), pids: () => [child.pid] };
}

export interface Upstream extends Target {
  legacyUrl: string;
  serviceUrl: string;
}

/** One upstream process with two listeners, so the edge really splits between two backends. */
export async function startUpstream(logDir: string): Promise<Upstream> {
  const [legacyPort, servicePort] = [await freePort(), await freePort()];
  const started = startNode('upstream', [join(BENCH_DIR, 'upstream.ts'), String(legacyPort), String(servicePort)], { logDir });
  const legacyUrl = `http://127.0.0.1:${legacyPort}`;
  const serviceUrl = `http://127.0.0.1:${servicePort}`;
  await waitFor('upstream', started.child, async () => (await answers(legacyUrl)) && answers(serviceUrl));
  return { ...started, url: legacyUrl, legacyUrl, serviceUrl };
}

/** One backend alone in its own process (`name` answers as that backend), so it can be frozen with SIGSTOP. */
export async function startBackend(logDir: string, name: string): Promise<Target & { pid: number }> {
  const port = await freePort();
  const started = startNode(name, [join(BENCH_DIR, 'upstream.ts'), `${name}=${port}`], { logDir });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(name, started.child, () => answers(url));
  return { ...started, url, pid: started.child.pid };
}

export async function startBareProxy(logDir: string, upstream: Upstream, workers: number): Promise<Target> {
  const port = await freePort();
  const started = startNode('bare-proxy', [join(BENCH_DIR, 'bare-proxy.ts'), String(port), upstream.legacyUrl, String(workers)], { logDir });
  const url = `http://127.0.0.1:${port}`;
  await waitFor('bare http-proxy', started.child, () => answers(url));
  return { ...started, url, pids: () => processGroupMembers(started.child.pid) };
}

export const USERS_FLAG = 'users.reads';

/** A snapshot in unleash-client's backup format: the users slice at `rollout` % (50 by default), sticky by userId. */
function writeFlagSnapshot(dir: string, appName: string, rollout = 50): void {
  mkdirSync(dir, { recursive: true });
  const usersAtHalf = {
    name: USERS_FLAG,
    enabled: true,
    strategies: [{ name: 'flexibleRollout', parameters: { rollout: String(rollout), stickiness: 'userId', groupId: USERS_FLAG } }],
  };
  writeFileSync(snapshotFileFor(dir, appName), JSON.stringify({ version: 2, features: [usersAtHalf], segments: [] }));
}

/** Requests per backend from the edge's own counter. */
async function edgeSplit(adminUrl: string): Promise<string> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const perBackend = new Map<string, number>();
  for (const [, labels = '', value] of text.matchAll(/^edge_requests_total\{([^}]*)\} (\d+)/gm)) {
    const backend = /backend="([^"]*)"/.exec(labels)?.[1] ?? '?';
    perBackend.set(backend, (perBackend.get(backend) ?? 0) + Number(value));
  }
  const total = [...perBackend.values()].reduce((sum, count) => sum + count, 0);
  return [...perBackend].map(([backend, count]) => `${backend} ${((100 * count) / total).toFixed(1)} %`).join(', ');
}

export interface EdgeOptions {
  logDir: string;
  upstream: Pick<Upstream, 'legacyUrl' | 'serviceUrl'>;
  /** Percentage of users whose reads the flag sends to the service (default 50). */
  usersRollout?: number;
  /** Extra edge settings (e.g. HEDGE_ENABLED). */
  env?: Record<string, string>;
  jwtSecret: string;
  jwtIssuer: string;
  /** EDGE_WORKERS. */
  workers: number;
  /** Write a CPU profile of the edge into this folder when it exits. */
  cpuProfileDir?: string;
}

/** The real entry point (src/server.ts) as `npm start -w edge` runs it, flags from a snapshot, Unleash unreachable. */
export async function startEdge(options: EdgeOptions): Promise<Target & { adminUrl: string }> {
  const [port, adminPort, unleashPort] = [await freePort(), await freePort(), await freePort()];
  const appName = 'strangler-edge';
  const flagDir = join(options.logDir, 'edge-flags');
  writeFlagSnapshot(flagDir, appName, options.usersRollout);
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const started = startNode('edge', [...profile, 'src/server.ts'], {
    logDir: options.logDir,
    cwd: EDGE_DIR,
    env: {
      EDGE_HOST: '127.0.0.1',
      EDGE_PORT: String(port),
      EDGE_ADMIN_PORT: String(adminPort),
      EDGE_WORKERS: String(options.workers),
      ACCESS_LOG: 'false',
      LEGACY_URL: options.upstream.legacyUrl,
      USERS_URL: options.upstream.serviceUrl,
      CATALOG_URL: options.upstream.serviceUrl,
      // Nothing listens there: the edge boots from the snapshot and keeps polling in the background.
      UNLEASH_URL: `http://127.0.0.1:${unleashPort}/api`,
      UNLEASH_APP_NAME: appName,
      FLAG_SNAPSHOT_DIR: flagDir,
      JWT_SECRET: options.jwtSecret,
      JWT_ISSUER: options.jwtIssuer,
      // Far above what one client can do here: the limiter runs but never refuses.
      RATE_LIMIT_RPS: '1000000',
      RATE_LIMIT_BURST: '1000000',
      ...options.env,
    },
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  await waitFor('edge', started.child, () => answers(`${adminUrl}/ready`));
  const ready = (await (await fetch(`${adminUrl}/ready`)).json()) as { flags?: string };
  if (ready.flags !== 'snapshot') throw new Error(`edge flags are "${ready.flags}", expected "snapshot": the 50 % rollout is not loaded`);
  // The primary and its workers share the edge's process group.
  return {
    ...started,
    url: `http://127.0.0.1:${port}`,
    adminUrl,
    pids: () => processGroupMembers(started.child.pid),
    describe: async () => `edge split: ${await edgeSplit(adminUrl)}`,
  };
}

/**
 * nginx from the repo's template (rendered into a temp prefix by the launcher's own functions), both of its upstream
 * servers pointing at the bench upstream: the primary at the legacy listener, the backup at the other.
 * Undefined when nginx is not installed.
 */
export async function startNginx(logDir: string, upstream: Upstream): Promise<Target | undefined> {
  if (!findExecutable(NGINX_BINARIES[0] ?? 'nginx')) return undefined;
  const port = await freePort();
  const instance = {
    prefix: join(logDir, 'nginx'),
    port,
    edge: new URL(upstream.legacyUrl).host,
    legacy: new URL(upstream.serviceUrl).host,
    template: join(REPO_ROOT, 'nginx', 'nginx.conf.template'),
    outputLog: join(logDir, 'nginx.log'),
  };
  await prepareNginx(instance);
  assertNotStopping();
  const child = await spawnNginx(instance, 5000);
  const stop = track(() => stopNginx(child, 5000));
  await waitFor('nginx', child, () => isNginxHealthy(port));
  // The master only hands out work: the workers are the rest of its process group.
  return { url: `http://127.0.0.1:${port}`, stop, pids: () => processGroupMembers(child.pid) };
}

export { NGINX_INSTALL_HINT };
