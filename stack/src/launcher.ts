import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { PortClaim } from './component.js';
import { restartPolicyOf, type StackConfig } from './config.js';
import { stackPaths, type StackComponent, type StackContext } from './context.js';
import { ComponentFailedError, Orchestrator, orderComponents, StartInterruptedError, type ProgressEvent, type Reporter } from './orchestrator.js';
import { isPortOpen } from './ports.js';
import { describeMissingPrerequisites, nodeVersionPrerequisite, type Prerequisite } from './prerequisites.js';
import { commandLineOf, isAlive } from './processes.js';
import { createDisplay, formatDuration, formatTable, type Output } from './progress.js';
import { loadOrCreateSecrets, secretKeyOf, type SecretDeclaration } from './secrets.js';
import { SupervisionStateFile } from './supervision/state-recorder.js';
import { supervisionLog } from './supervision/supervision-log.js';
import { supervisionStatePath } from './supervision/supervision-state.js';

export const MINIMUM_NODE_MAJOR = 20;

/** Another launcher holds the stack folder. */
export class LauncherBusyError extends Error {
  constructor(
    readonly pid: number,
    readonly stackDir: string,
  ) {
    super(
      `Another launcher (pid ${pid}) is already running on ${stackDir}.\n` +
        `Stop it first (Ctrl-C in its terminal, or: kill ${pid}), or use another folder: STACK_DIR=<dir> npm start`,
    );
    this.name = 'LauncherBusyError';
  }
}

/** The pid in a launcher pid file if that launcher is still alive; a stale file (dead or reused pid) gives undefined. */
export function runningLauncherPid(pidFile: string): number | undefined {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid)) return undefined;
  // After a reboot the number may belong to something else: only a process running cli.ts counts.
  const commandLine = commandLineOf(pid);
  if (commandLine !== undefined && !/\bcli\.[jt]s\b/.test(commandLine)) return undefined;
  return pid;
}

/** Records this process as the folder's launcher; throws LauncherBusyError while another one is alive. */
export function acquireLauncherLock(pidFile: string): () => void {
  mkdirSync(dirname(pidFile), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      // Exclusive create: of two launchers started at once, exactly one wins.
      writeFileSync(pidFile, `${process.pid}\n`, { flag: 'wx' });
      return () => {
        if (runningPidIn(pidFile) === process.pid) rmSync(pidFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const other = runningLauncherPid(pidFile);
      if (other !== undefined) throw new LauncherBusyError(other, dirname(pidFile));
      rmSync(pidFile, { force: true });
    }
  }
  throw new Error(`could not create ${pidFile}`);
}

function runningPidIn(pidFile: string): number | undefined {
  try {
    return Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  } catch {
    return undefined;
  }
}

/** Every secret the components declare, each key once (the first declaration's generator wins). */
export function declaredSecrets(components: readonly StackComponent[]): SecretDeclaration[] {
  const byKey = new Map<string, SecretDeclaration>();
  for (const declaration of components.flatMap((c) => c.secrets ?? [])) {
    if (!byKey.has(secretKeyOf(declaration))) byKey.set(secretKeyOf(declaration), declaration);
  }
  return [...byKey.values()];
}

/** Every component's prerequisites (each once) plus node itself; a message saying what to install, or undefined. */
export function checkPrerequisites(components: readonly StackComponent[], nodeVersion = process.versions.node): string | undefined {
  const all = new Map<string, Prerequisite>();
  for (const p of [nodeVersionPrerequisite(MINIMUM_NODE_MAJOR, nodeVersion), ...components.flatMap((c) => c.prerequisites ?? [])]) {
    if (!all.has(p.what)) all.set(p.what, p);
  }
  return describeMissingPrerequisites([...all.values()]);
}

/** A message naming each port that is taken (or claimed twice) and the env var that moves it, or undefined. */
export async function checkPorts(claims: ReadonlyArray<PortClaim & { component: string }>): Promise<string | undefined> {
  const problems: string[] = [];
  const seen = new Map<number, PortClaim & { component: string }>();
  for (const claim of claims) {
    const earlier = seen.get(claim.port);
    if (earlier) {
      problems.push(`Port ${claim.port} is configured for both ${earlier.component} (${earlier.env}) and ${claim.component} (${claim.env}); give each its own port.`);
      continue;
    }
    seen.set(claim.port, claim);
    if (await isPortOpen(claim.port)) {
      problems.push(
        `Port ${claim.port} (${claim.component}) is already in use by another program on 127.0.0.1.\n` +
          `  Stop that program, or move ${claim.component} to a free port: ${claim.env}=<port> npm start`,
      );
    }
  }
  return problems.length > 0 ? problems.join('\n') : undefined;
}

/** STACK_DIR must be ours (marked) or new/empty: `reset` deletes it, so never adopt a folder with other content. */
function claimStackDir(ctx: Pick<StackContext, 'paths'>): void {
  const { stackDir, ownerMarker } = ctx.paths;
  if (existsSync(stackDir) && !existsSync(ownerMarker) && readdirSync(stackDir).length > 0) {
    throw new Error(`STACK_DIR=${stackDir} exists, is not empty and was not created by the launcher; point STACK_DIR at a new or empty folder`);
  }
  mkdirSync(stackDir, { recursive: true });
  writeFileSync(ownerMarker, 'Created by the strangler launcher (stack/src/cli.ts); `npm run stack:reset` deletes this folder.\n');
}

export interface LauncherIo {
  out: Output;
  /** Where pre-flight problems go (prerequisites, port taken, second launcher). */
  err: Output;
  tty: boolean;
}

interface SignalSource {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface StartOptions {
  components: readonly StackComponent[];
  config: StackConfig;
  baseEnv: Readonly<Record<string, string>>;
  repoRoot: string;
  io: LauncherIo;
  signals?: SignalSource;
}

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function displayPath(path: string): string {
  const fromHere = relative(process.cwd(), path);
  return fromHere && !fromHere.startsWith('..') && !isAbsolute(fromHere) ? fromHere : path;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

function describeFailure(error: ComponentFailedError, headline = `${error.component} failed: ${error.reason}`): string {
  const lines = [headline];
  if (error.logTail) lines.push(`Last lines of ${displayPath(error.logFile ?? '')}:`, indent(error.logTail));
  else if (error.logFile) lines.push(`See ${displayPath(error.logFile)}`);
  if (error.hint) lines.push(`Hint: ${error.hint}`);
  return lines.join('\n');
}

/** Every event to each reporter: the display, the state file, the supervisor's log. */
function fanOut(...reporters: Reporter[]): Reporter {
  return { update: (event: ProgressEvent) => reporters.forEach((reporter) => reporter.update(event)) };
}

const CRASH_LOOP_HINT =
  'A crashed component is restarted with back-off; more than STACK_RESTART_LIMIT_BURST failures within STACK_RESTART_LIMIT_WINDOW_MS stop the stack (`npm run stack:config`).';

/**
 * `npm start`: checks, starts everything in dependency order, prints where things are, stays in the foreground
 * until Ctrl-C/SIGTERM (exit 0) or until a component crash-loops (exit 1); always stops what it started. A
 * process that crashes is restarted (supervision/); <STACK_DIR>/supervision.json says what runs, for `strangler status`.
 */
export async function startStack(options: StartOptions): Promise<number> {
  const { components, config, io } = options;
  const signals = options.signals ?? process;
  const paths = stackPaths(config.stackDir);
  const fail = (message: string) => {
    io.err.write(`${message}\n`);
    return 1;
  };

  const missing = checkPrerequisites(components);
  if (missing) return fail(missing);

  let releaseLock: () => void;
  try {
    claimStackDir({ paths });
    releaseLock = acquireLauncherLock(paths.launcherPidFile);
  } catch (error) {
    return fail((error as Error).message);
  }

  const nameWidth = Math.max(...components.map((c) => c.name.length));
  const display = createDisplay(io.out, { tty: io.tty, color: io.tty && !config.noColor, nameWidth });
  let orchestrator: Orchestrator<StackContext> | undefined;
  let stateFile: SupervisionStateFile | undefined;
  let stopping: NodeJS.Signals | undefined;
  let onStopRequested: (signal: NodeJS.Signals) => void = () => {};
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => (onStopRequested = resolve));
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // Exiting now would orphan whatever is still running; the stop sequence is bounded by the grace periods.
      display.print(`${signal} again: still stopping, please wait — leaving now would leave processes running.`);
      return;
    }
    stopping = signal;
    display.print(`${signal} received: stopping everything (in reverse order)…`);
    stateFile?.stack('stopping');
    onStopRequested(signal);
    void orchestrator?.stop();
  };
  for (const signal of STOP_SIGNALS) signals.on(signal, onSignal);

  try {
    const ctx: StackContext = {
      config,
      paths,
      secrets: loadOrCreateSecrets(paths.secretsFile, declaredSecrets(components)),
      baseEnv: options.baseEnv,
      repoRoot: options.repoRoot,
    };

    // Dependents first, as in any stop.
    for (const component of orderComponents(components).reverse()) {
      if (await component.stopLeftovers?.(ctx)) display.print(`■ stopped a ${component.name} left running by an earlier launcher`);
    }
    const portProblem = await checkPorts(components.flatMap((c) => (c.ports?.(ctx) ?? []).map((claim) => ({ ...claim, component: c.name }))));
    if (portProblem) return fail(portProblem);
    if (stopping) return 0;

    const began = Date.now();
    stateFile = new SupervisionStateFile(paths.stackDir, (error) =>
      display.print(`Could not write ${displayPath(supervisionStatePath(paths.stackDir))} (${(error as Error).message}): \`strangler status\` cannot show restarts.`),
    );
    const reporter = fanOut(display, stateFile, supervisionLog(join(paths.logsDir, 'supervisor.log')));
    orchestrator = new Orchestrator(components, ctx, reporter, {
      healthTimeoutMs: config.healthTimeoutMs,
      stopGraceMs: config.stopGraceMs,
      restart: restartPolicyOf(config),
    });
    let started;
    try {
      started = await orchestrator.start();
    } catch (error) {
      if (error instanceof StartInterruptedError) {
        display.print('Stopped.');
        return 0;
      }
      if (error instanceof ComponentFailedError) {
        display.print(`\n${describeFailure(error)}\n\nEverything that had started was stopped.`);
        return 1;
      }
      throw error;
    }

    const running = orchestrator;
    const rows = started
      .filter((s) => s.process)
      // The current pid: a component may have been restarted while others were still starting.
      .map((s) => [s.name, s.endpoint ?? '-', String(running.processOf(s.name)?.pid ?? '-'), String(running.restartsOf(s.name)), displayPath(s.logFile ?? '-')]);
    const notes = orderComponents(components).flatMap((c) => c.readyNote?.(ctx) ?? []);
    display.print(
      [
        '',
        formatTable([['component', 'endpoint', 'pid', 'restarts', 'log file'], ...rows], { color: io.tty && !config.noColor }),
        '',
        ...(notes.length > 0 ? [...notes, ''] : []),
        `Stack ready in ${formatDuration(Date.now() - began)}. State in ${displayPath(paths.stackDir)} (passwords in ${displayPath(paths.secretsFile)}).`,
        'Press Ctrl-C to stop everything.',
      ].join('\n'),
    );
    if (!stopping) stateFile.stack('running');

    const outcome = await Promise.race([
      stopRequested.then((signal) => ({ kind: 'signal' as const, signal })),
      orchestrator.crashLoop.then((failure) => ({ kind: 'crash-loop' as const, failure })),
    ]);
    if (outcome.kind === 'crash-loop') {
      stopping = 'SIGTERM';
      stateFile.stack('stopping');
      const { failure } = outcome;
      const hint = [failure.hint, CRASH_LOOP_HINT].filter(Boolean).join('\n      ');
      const why = new ComponentFailedError(failure.component, failure.reason, failure.logFile, failure.logTail, { hint });
      display.print(`\n${describeFailure(why, `${failure.component} ${failure.reason}`)}\n\nStopping everything else…`);
      await orchestrator.stop();
      display.print('Stopped.');
      return 1;
    }
    await orchestrator.stop();
    display.print('Stopped.');
    return 0;
  } finally {
    // Whatever went wrong above, nothing this launcher started may outlive it.
    await orchestrator?.stop();
    stateFile?.close();
    display.close();
    for (const signal of STOP_SIGNALS) signals.off(signal, onSignal);
    releaseLock();
  }
}

/** `npm run stack:reset`: deletes STACK_DIR (refused while a launcher runs on it). */
export async function resetStack(options: Omit<StartOptions, 'signals'>): Promise<number> {
  const { config, io } = options;
  const paths = stackPaths(config.stackDir);
  if (!existsSync(paths.stackDir)) {
    io.out.write(`Nothing to reset: ${paths.stackDir} does not exist.\n`);
    return 0;
  }
  if (!existsSync(paths.ownerMarker) && readdirSync(paths.stackDir).length > 0) {
    io.err.write(`Refusing to delete ${paths.stackDir}: it was not created by the launcher.\n`);
    return 1;
  }
  let release: () => void;
  try {
    // Held while deleting, so a launcher starting meanwhile cannot begin writing into the folder.
    release = acquireLauncherLock(paths.launcherPidFile);
  } catch (error) {
    io.err.write(`${(error as Error).message.split('\n')[0]}\nRefusing to reset a running stack.\n`);
    return 1;
  }
  try {
    const ctx: StackContext = { config, paths, secrets: {}, baseEnv: options.baseEnv, repoRoot: options.repoRoot };
    for (const component of orderComponents(options.components).reverse()) {
      // A server left by a crashed launcher would otherwise keep writing into the deleted folder.
      if (await component.stopLeftovers?.(ctx)) io.out.write(`Stopped a ${component.name} left running by an earlier launcher.\n`);
    }
    for (const component of options.components) {
      const removed = component.removeExternalState?.(ctx);
      if (removed) io.out.write(`Removed ${removed} (${component.name}'s files outside ${paths.stackDir}).\n`);
    }
    rmSync(paths.stackDir, { recursive: true, force: true });
  } finally {
    release();
  }
  io.out.write(`Removed ${paths.stackDir}: the next \`npm start\` initialises and seeds a fresh stack.\n`);
  return 0;
}
