import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestDatabase } from '@strangler/testkit/database';

const run = promisify(execFile);

/** The repository root: services are started from their own entry points, as the launcher does. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const NODE_ARGS = ['--conditions=development', '--import', 'tsx'];

export function dbEnv(database: TestDatabase): Record<string, string> {
  const c = database.connection;
  return { DB_HOST: c.host, DB_PORT: String(c.port), DB_USER: c.user, DB_PASSWORD: c.password, DB_NAME: c.database };
}

/** Runs one of a workspace's CLIs (migrate, seed) to completion. */
export async function runCli(script: string, args: string[], env: Record<string, string>): Promise<string> {
  const { stdout, stderr } = await run(process.execPath, [...NODE_ARGS, script, ...args], {
    cwd: REPO,
    env: { PATH: process.env.PATH, ...env },
  });
  return stdout + stderr;
}

export interface ServiceProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** A service's real server.ts as a child process, resolved once GET /ready answers 200. */
export async function startService(script: string, port: number, env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [...NODE_ARGS, script], {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += String(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => (output += String(chunk)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited ${child.exitCode}: ${output}`);
    if (await fetch(`${url}/ready`).then((r) => r.ok, () => false)) break;
    if (Date.now() > deadline) throw new Error(`${script} not ready in 60 s: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    output: () => output,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await once(child, 'close');
    },
  };
}

/** Runs `tasks` with at most `concurrency` in flight; results in input order. */
export async function inParallel<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index] as T);
      }
    }),
  );
  return results;
}
