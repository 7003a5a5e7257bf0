import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is testkit/src/processes.ts). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** How every TypeScript entry point of the repo runs from sources (as the root npm scripts do). */
function nodeArgs(script: string, args: readonly string[]): string[] {
  return ['--conditions=development', '--import', 'tsx', join(REPO_ROOT, script), ...args];
}

export interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a repo script (`cli/src/main.ts`, `stack/src/cli.ts`, …) to its end with exactly the env given (plus PATH). */
export function runScript(script: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs(script, args), { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningScript {
  child: ChildProcess;
  /** Everything written so far, stdout and stderr. */
  output(): string;
  /** Resolves with the first value `match` finds in the output; rejects if the process exits first or time runs out. */
  waitFor<T>(match: (output: string) => T | undefined, timeoutMs?: number): Promise<T>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a long-running repo script (a server) in the background. */
export function startScript(script: string, env: NodeJS.ProcessEnv): RunningScript {
  const child = spawn(process.execPath, nodeArgs(script, []), { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return {
    child,
    output: () => output,
    waitFor<T>(match: (text: string) => T | undefined, timeoutMs = 60_000) {
      return new Promise<T>((resolve, reject) => {
        const done = (finish: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          finish();
        };
        const check = () => {
          const value = match(output);
          if (value !== undefined) done(() => resolve(value));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`${script}: not seen within ${timeoutMs} ms; output:\n${output}`))), timeoutMs);
        void exited.then(() => done(() => reject(new Error(`${script} exited (code ${child.exitCode}) before it was seen; output:\n${output}`))));
        listeners.add(check);
        check();
      });
    },
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
