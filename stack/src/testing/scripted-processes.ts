import type { Component } from '../component.js';
import { isAlive, readLogTail, spawnManaged, type ManagedProcess } from '../processes.js';

/** Prints the line the health check waits for, then stays up. */
export const STAYS_UP = "console.log('ready'); setInterval(() => {}, 1000)";
/** Dies at once, before it could be healthy, saying why. */
export const DIES_AT_ONCE = "console.error('boom: cannot read the config'); process.exit(1)";
/** Stays up without ever printing `ready`: a restart that never gets healthy. */
export const NEVER_READY = 'setInterval(() => {}, 1000)';

export interface ScriptedComponent<C> extends Component<C> {
  /** Every process started so far, oldest first. */
  readonly processes: ManagedProcess[];
}

/**
 * A component whose every start runs a tiny node script as a real child process: `scripts[i]` on the i-th start,
 * the last one on every later start. Healthy once the current process has printed `ready` (this start's output).
 */
export function scriptedComponent<C>(
  name: string,
  options: {
    scripts: readonly string[];
    logFile(ctx: C): string;
    dependsOn?: string[];
    /** Health timeout of every start after the first (which gets the orchestrator's, as node may start slowly). */
    restartHealthTimeoutMs?: number;
  },
): ScriptedComponent<C> {
  const processes: ManagedProcess[] = [];
  return {
    name,
    dependsOn: options.dependsOn,
    processes,
    async start({ stack }) {
      const script = options.scripts[Math.min(processes.length, options.scripts.length - 1)] ?? STAYS_UP;
      const child = spawnManaged({ name, command: process.execPath, args: ['-e', script], logFile: options.logFile(stack), detached: true });
      processes.push(child);
      return child;
    },
    health: {
      async check() {
        const current = processes.at(-1);
        return current !== undefined && readLogTail(current.logFile, 50, current.logOffset).split('\n').includes('ready');
      },
      intervalMs: 20,
      timeoutMs: options.restartHealthTimeoutMs === undefined ? undefined : () => (processes.length > 1 ? (options.restartHealthTimeoutMs as number) : 30_000),
    },
    endpoint: () => `fake://${name}`,
  };
}

/** The pids of these processes still alive (a test's afterEach kills them, so a failure leaves nothing behind). */
export function alivePids(processes: readonly ManagedProcess[]): number[] {
  return processes.map((p) => p.pid).filter(isAlive);
}

export async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
