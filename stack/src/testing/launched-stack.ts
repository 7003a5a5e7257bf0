import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@strangler/testkit/ports';
import { describeStackConfig, REPO_ROOT } from '../config.js';
import { isAlive } from '../processes.js';
import { TEST_CDC_JARS_DIR } from './cdc-stack.js';

/** The launcher prints this last once everything is up. */
export const READY_LINE = 'Press Ctrl-C to stop everything.';

/** One run of the launcher CLI (`start`, `reset`, …) as a child process, with everything it printed. */
export interface LauncherRun {
  child: ChildProcess;
  output(): string;
  /** Resolves once the output holds `text`; rejects when the launcher exits first or the time is up. */
  waitFor(text: string, timeoutMs: number): Promise<void>;
  exited: Promise<number | null>;
}

/** A row of the launcher's ready table. */
export interface ReadyRow {
  endpoint: string;
  pid: number;
  restarts?: number;
  log: string;
}

/**
 * The real `npm start` on a throw-away STACK_DIR (a 0700 `mktemp -d` folder, as a clone under /root would be),
 * every port the launcher claims moved to a free one, small seed sizes. What it printed pids for is killed on
 * cleanup, whatever a test left behind.
 */
export interface LaunchedStack {
  stackDir: string;
  env: NodeJS.ProcessEnv;
  /** The port behind a `*_PORT` setting (`port('NGINX_PORT')`). */
  port(setting: string): number;
  cli(...args: string[]): LauncherRun;
  secrets(): Record<string, string>;
  /** The last ready table in the output; remembers its pids for cleanup. */
  readyTable(output: string): Map<string, ReadyRow>;
  cleanup(): Promise<void>;
}

export interface LaunchedStackOptions {
  seed: { users: number; products: number; orders: number };
  /** More settings for the launcher (and, through it, for every component). */
  env?: Record<string, string>;
}

/** Every `*_PORT` setting the launcher reads, the slices' included (their names come from the manifests). */
function portSettings(): string[] {
  return describeStackConfig().flatMap((setting) => (setting.env.endsWith('_PORT') ? [setting.env] : []));
}

export async function createLaunchedStack(options: LaunchedStackOptions): Promise<LaunchedStack> {
  // Short path: MariaDB's unix socket lives under it.
  const parent = mkdtempSync(join(tmpdir(), 'stack-e2e-'));
  const stackDir = join(parent, 's');
  const ports = new Map<string, number>();
  const taken = new Set<number>();
  for (const setting of portSettings()) {
    let port = await freePort();
    while (taken.has(port)) port = await freePort();
    taken.add(port);
    ports.set(setting, port);
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    STACK_DIR: stackDir,
    ...Object.fromEntries([...ports].map(([setting, port]) => [setting, String(port)])),
    // The jars the test run fetched already (same pom): no second copy from Maven's cache.
    CDC_JARS_DIR: TEST_CDC_JARS_DIR,
    STACK_SEED_USERS: String(options.seed.users),
    STACK_SEED_PRODUCTS: String(options.seed.products),
    STACK_SEED_ORDERS: String(options.seed.orders),
    STACK_LOG_LEVEL: 'warn',
    NO_COLOR: '1',
    ...options.env,
  };
  const runs: LauncherRun[] = [];
  const printedPids = new Set<number>();

  const cli = (...args: string[]): LauncherRun => {
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', 'stack/src/cli.ts', ...args], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let exitCode: number | null | undefined;
    void exited.then((code) => (exitCode = code));
    const run: LauncherRun = {
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
    runs.push(run);
    return run;
  };

  return {
    stackDir,
    env,
    port(setting) {
      const port = ports.get(setting);
      if (port === undefined) throw new Error(`no port setting ${setting} (the launcher reads ${[...ports.keys()].join(', ')})`);
      return port;
    },
    cli,
    secrets: () => JSON.parse(readFileSync(join(stackDir, 'secrets.json'), 'utf8')) as Record<string, string>,
    readyTable(output) {
      const rows = new Map<string, ReadyRow>();
      const table = output.slice(output.lastIndexOf('component  '));
      const header = table.split('\n')[0] ?? '';
      const withRestarts = /\brestarts\b/.test(header);
      const row = withRestarts ? /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\S+)$/gm : /^(\S+)\s+(\S+)\s+(\d+)\s+(\S+)$/gm;
      for (const match of table.matchAll(row)) {
        const pid = Number(match[3]);
        const restarts = withRestarts ? Number(match[4]) : undefined;
        rows.set(match[1] as string, { endpoint: match[2] as string, pid, restarts, log: match[withRestarts ? 5 : 4] as string });
        printedPids.add(pid);
      }
      return rows;
    },
    async cleanup() {
      // If an assertion failed midway: stop the launcher properly, then make sure nothing it printed survives.
      for (const run of runs) {
        if (run.child.exitCode === null && run.child.signalCode === null) {
          run.child.kill('SIGINT');
          await run.exited;
        }
      }
      for (const pid of printedPids) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
