import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '@strangler/testkit/ports';
import type { HealthSnapshot } from '../runtime/consumer-health.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROJECTOR_SCRIPT = join(REPO_ROOT, 'cdc/src/server.ts');

/** One line of the platform's logger (pino with level names and ISO times). */
export interface LogLine {
  level: string;
  msg: string;
  /** Epoch ms of the line's ISO `time`. */
  at: number;
  [field: string]: unknown;
}

/** The projector process (cdc/src/server.ts, the real entry point) on whatever Kafka and database `env` names. */
export interface SpawnedProjector {
  url: string;
  child: ChildProcess;
  logFile: string;
  /** The exit code (or signal) once it has exited; undefined while it runs. */
  exit(): number | string | undefined;
  /** Every JSON line it logged so far. */
  lines(): LogLine[];
  /** GET /status, or undefined when it does not answer. */
  status(): Promise<HealthSnapshot | undefined>;
  /** GET /ready's status code, or undefined when it does not answer. */
  ready(): Promise<number | undefined>;
  /** One sample of /metrics by name (no labels), or undefined. */
  metric(name: string): Promise<number | undefined>;
  stop(): Promise<number | string>;
}

export async function spawnProjector(options: { logFile: string; env: Record<string, string> }): Promise<SpawnedProjector> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(options.logFile);
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', PROJECTOR_SCRIPT], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', PORT: String(port), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let exitedWith: number | string | undefined;
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedWith = code ?? signal ?? 'unknown';
      resolve(exitedWith);
    }),
  );
  const get = async (path: string) => {
    try {
      return await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2_000) });
    } catch {
      return undefined;
    }
  };
  return {
    url,
    child,
    logFile: options.logFile,
    exit: () => exitedWith,
    lines() {
      let text = '';
      try {
        text = readFileSync(options.logFile, 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .flatMap((line) => {
          try {
            const parsed = JSON.parse(line) as LogLine & { time: string };
            return [{ ...parsed, at: Date.parse(parsed.time) } as LogLine];
          } catch {
            return [];
          }
        });
    },
    async status() {
      const response = await get('/status');
      return response?.status === 200 ? ((await response.json()) as HealthSnapshot) : undefined;
    },
    async ready() {
      const response = await get('/ready');
      await response?.arrayBuffer();
      return response?.status;
    },
    async metric(name) {
      const response = await get('/metrics');
      if (response?.status !== 200) return undefined;
      const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(await response.text());
      return match ? Number(match[1]) : undefined;
    },
    async stop() {
      if (exitedWith === undefined) child.kill('SIGTERM');
      const timer = new AbortController();
      const outcome = await Promise.race([exited, sleep(30_000, 'timeout' as const, { signal: timer.signal }).catch(() => 'cancelled' as const)]);
      timer.abort();
      if (outcome === 'timeout') child.kill('SIGKILL');
      return exited;
    },
  };
}
