import { spawn } from 'node:child_process';
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ManagedProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (or signal) once the process has gone. */
  exited: Promise<number | string>;
  /** Size of the log file when the process started: where this run's output begins. */
  logOffset?: number;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logFile: string;
  /** Written with the pid so a later run can stop a leftover process. */
  pidFile?: string;
  /**
   * Own process group: a Ctrl-C in the terminal then reaches only the launcher, which stops its children itself,
   * in reverse dependency order, instead of everything dying at once.
   */
  detached?: boolean;
  /** Run as this OS user (the launcher runs as root and the program refuses to, e.g. postgres). */
  uid?: number;
  gid?: number;
}

/** Starts a long-running process with output appended to its log file. */
export function spawnManaged(options: SpawnOptions): ManagedProcess {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = openSync(options.logFile, 'a');
  const logOffset = statSync(options.logFile).size;
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', log, log],
    detached: options.detached ?? false,
    uid: options.uid,
    gid: options.gid,
  });
  closeSync(log);
  if (child.pid === undefined) throw new Error(`could not start ${options.name}: ${options.command} did not spawn`);
  if (options.pidFile) writeFileSync(options.pidFile, `${child.pid}\n`);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      if (options.pidFile) rmSync(options.pidFile, { force: true });
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', () => resolve('spawn-error'));
  });
  return { name: options.name, pid: child.pid, logFile: options.logFile, exited, logOffset };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `signal` (SIGTERM unless the program documents another one for a quick clean stop, e.g. SIGINT for postgres),
 * wait up to `graceMs`, then SIGKILL; resolves once the pid is gone.
 */
export async function stopPid(pid: number, graceMs = 15_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      return;
    }
    while (isAlive(pid)) await sleep(20);
  }
}

/** The command line of a live process (Linux /proc), or undefined where that cannot be read. */
export function commandLineOf(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return undefined;
  }
}

/**
 * Stops a process left behind by an earlier run that crashed, as recorded in its pid file.
 * With `expect`, a pid whose command line does not contain it is left alone: after a reboot the number may
 * belong to an unrelated process.
 */
export async function stopFromPidFile(pidFile: string, graceMs?: number, expect?: string, signal?: NodeJS.Signals): Promise<boolean> {
  if (!existsSync(pidFile)) return false;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return false;
  if (expect !== undefined) {
    const commandLine = commandLineOf(pid);
    if (commandLine !== undefined && !commandLine.includes(expect)) return false;
  }
  await stopPid(pid, graceMs, signal);
  return true;
}

/** The last `lines` lines of a log file, from `fromOffset` on (this run's part); '' when there is none. */
export function readLogTail(file: string, lines = 30, fromOffset = 0): string {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return '';
  }
  try {
    const size = statSync(file).size;
    // Enough bytes for the tail of any sensible log without reading a huge file whole.
    const start = Math.max(fromOffset, size - 64 * 1024);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8').split(/\r?\n|\r/).filter((line) => line.trim() !== '');
    return text.slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}

export class TaskFailedError extends Error {
  constructor(
    readonly task: string,
    readonly exitCode: number | string,
    readonly logFile: string,
    readonly logTail: string,
  ) {
    super(`${task} failed (exit ${exitCode}); see ${logFile}`);
    this.name = 'TaskFailedError';
  }
}

export interface TaskOptions extends Omit<SpawnOptions, 'detached'> {
  /** Called with every output line (stdout and stderr; carriage-return redraws count as lines). */
  onLine?: (line: string) => void;
  /** Aborting stops the task (SIGTERM, then SIGKILL after `graceMs`) and rejects with the abort reason. */
  signal?: AbortSignal;
  graceMs?: number;
}

/** Runs a command to completion, output appended to its log; rejects with a TaskFailedError on a non-zero exit. */
export async function runTask(options: TaskOptions): Promise<void> {
  options.signal?.throwIfAborted();
  mkdirSync(dirname(options.logFile), { recursive: true });
  const logOffset = existsSync(options.logFile) ? statSync(options.logFile).size : 0;
  const log = createWriteStream(options.logFile, { flags: 'a' });
  log.write(`--- ${new Date().toISOString()} ${options.command} ${options.args.join(' ')}\n`);
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own group, like managed services: the launcher decides when it stops.
    detached: true,
  });
  if (options.pidFile && child.pid !== undefined) writeFileSync(options.pidFile, `${child.pid}\n`);
  for (const stream of [child.stdout, child.stderr]) {
    let pending = '';
    // Whole lines only, so stdout and stderr never interleave mid-line in the log.
    const emit = (line: string) => {
      if (line.trim() === '') return;
      log.write(`${line}\n`);
      options.onLine?.(line);
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      pending += chunk;
      const parts = pending.split(/\r?\n|\r/);
      pending = parts.pop() ?? '';
      parts.forEach(emit);
    });
    stream.on('end', () => {
      emit(pending);
      pending = '';
    });
  }
  const onAbort = () => {
    if (child.pid !== undefined) void stopPid(child.pid, options.graceMs);
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await new Promise<number | string>((resolve) => {
      child.once('error', (error) => {
        log.write(`${String(error)}\n`);
        resolve('spawn-error');
      });
      // 'close' (not 'exit'): every output line has been read by then.
      child.once('close', (exitCode, signal) => resolve(exitCode ?? signal ?? 'unknown'));
    });
    await new Promise<void>((resolve) => log.end(resolve));
    options.signal?.throwIfAborted();
    if (code !== 0) throw new TaskFailedError(options.name, code, options.logFile, readLogTail(options.logFile, 30, logOffset));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (options.pidFile) rmSync(options.pidFile, { force: true });
  }
}

/** Polls `check` until it resolves true, the process dies, or the timeout passes. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; process?: ManagedProcess },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let died: number | string | undefined;
  void options.process?.exited.then((code) => (died = code));
  while (Date.now() < deadline) {
    if (died !== undefined) {
      throw new Error(`${what}: process exited (${died}) before becoming healthy; see ${options.process?.logFile}`);
    }
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await sleep(options.intervalMs ?? 100);
  }
  throw new Error(`${what}: not healthy after ${options.timeoutMs} ms${options.process ? `; see ${options.process.logFile}` : ''}`);
}
