import { setTimeout as sleep } from 'node:timers/promises';
import { isManagedProcess, type Component, type RunContext, type StepOutcome } from './component.js';
import { readLogTail, stopPid, TaskFailedError, type ManagedProcess } from './processes.js';
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from './supervision/restart-policy.js';
import { Supervisor, type SupervisionEvent } from './supervision/supervisor.js';

/** The component list itself is wrong (unknown dependency, cycle, duplicate name): a programming error. */
export class StackDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackDefinitionError';
  }
}

/** A component could not be brought up, or its process died; carries the tail of its log. */
export class ComponentFailedError extends Error {
  constructor(
    readonly component: string,
    readonly reason: string,
    readonly logFile?: string,
    readonly logTail?: string,
    options?: { cause?: unknown; hint?: string },
  ) {
    super(`${component}: ${reason}`, options);
    this.name = 'ComponentFailedError';
    this.hint = options?.hint;
  }

  /** What the user can do about it, from the component's `failureHint`. */
  readonly hint?: string;
}

/** start() was cut short by stop() (Ctrl-C while starting): not a failure. */
export class StartInterruptedError extends Error {
  constructor() {
    super('start interrupted: stopping');
    this.name = 'StartInterruptedError';
  }
}

/**
 * Orders components so each comes after everything it depends on; among independent ones the declaration order
 * is kept. Throws a StackDefinitionError naming the unknown dependency, duplicate or cycle.
 */
export function orderComponents<C>(components: readonly Component<C>[]): Component<C>[] {
  const byName = new Map<string, Component<C>>();
  for (const component of components) {
    if (byName.has(component.name)) throw new StackDefinitionError(`component "${component.name}" is declared twice`);
    byName.set(component.name, component);
  }
  for (const component of components) {
    for (const dependency of component.dependsOn ?? []) {
      if (!byName.has(dependency)) {
        throw new StackDefinitionError(`component "${component.name}" depends on "${dependency}", which is not declared`);
      }
    }
  }
  const ordered: Component<C>[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (component: Component<C>, path: string[]): void => {
    const seen = state.get(component.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      const cycle = [...path.slice(path.indexOf(component.name)), component.name];
      throw new StackDefinitionError(`dependency cycle: ${cycle.join(' → ')}`);
    }
    state.set(component.name, 'visiting');
    for (const dependency of component.dependsOn ?? []) visit(byName.get(dependency) as Component<C>, [...path, component.name]);
    state.set(component.name, 'done');
    ordered.push(component);
  };
  for (const component of components) visit(component, []);
  return ordered;
}

export type ProgressEvent =
  | { type: 'starting'; name: string }
  | { type: 'progress'; name: string; message: string }
  | { type: 'ready'; name: string; ms: number; endpoint?: string; pid?: number }
  | { type: 'done'; name: string; ms: number; detail?: string }
  | { type: 'skipped'; name: string; ms: number; detail?: string }
  | { type: 'failed'; name: string; ms?: number; reason: string }
  | { type: 'interrupted'; name: string; ms: number }
  | { type: 'stopping'; name: string }
  | { type: 'stopped'; name: string; ms: number; problem?: string }
  | SupervisionEvent;

export interface Reporter {
  update(event: ProgressEvent): void;
}

export interface StartedComponent {
  name: string;
  outcome: 'ready' | 'done' | 'skipped';
  ms: number;
  process?: ManagedProcess;
  endpoint?: string;
  logFile?: string;
  detail?: string;
}

interface Running<C> {
  component: Component<C>;
  process: ManagedProcess;
  /** Set before we stop it, so its exit is not reported as a crash. */
  stopping: boolean;
  exitCode?: number | string;
  /** When it passed its health check (and afterHealthy): from then on an exit is a crash, and it is restarted. */
  healthySince?: number;
  /** Started by the supervisor: an exit before healthy fails that restart, not the stack. */
  restart: boolean;
}

/** Where a launch keeps the process it started, so a failure can name (or stop) it. */
interface Launch<C> {
  entry?: Running<C>;
}

export interface OrchestratorOptions {
  /** Health timeout for components that do not set their own. */
  healthTimeoutMs: number;
  /** SIGTERM → SIGKILL grace for components without their own stop. */
  stopGraceMs: number;
  /** How a process that crashes after being healthy is restarted (default: DEFAULT_RESTART_POLICY). */
  restart?: RestartPolicy;
}

/**
 * Brings components up in dependency order (each as soon as everything it depends on is up, so independent
 * ones start side by side) and stops them in reverse order. A process that crashes once healthy is restarted by
 * the supervisor (supervision/); the stack gives up only on a crash loop. Every process is owned from the moment
 * it is spawned, so nothing is orphaned whatever fails or is interrupted.
 */
export class Orchestrator<C> {
  private readonly ordered: Component<C>[];
  /** One entry per process component, in the order they first started: the reverse is the stop order. */
  private readonly running: Running<C>[] = [];
  private readonly started: StartedComponent[] = [];
  private readonly abort = new AbortController();
  private readonly supervisor: Supervisor;
  private starting: Promise<unknown> = Promise.resolve();
  private stopped?: Promise<void>;
  private failure?: ComponentFailedError;
  private reportCrashLoop?: (failure: ComponentFailedError) => void;
  /** Resolves when a component crash-loops after start() has succeeded: the stack should stop. */
  readonly crashLoop: Promise<ComponentFailedError>;

  constructor(
    components: readonly Component<C>[],
    private readonly ctx: C,
    private readonly reporter: Reporter,
    private readonly options: OrchestratorOptions,
  ) {
    this.ordered = orderComponents(components);
    this.crashLoop = new Promise((resolve) => (this.reportCrashLoop = resolve));
    this.supervisor = new Supervisor({
      policy: options.restart ?? DEFAULT_RESTART_POLICY,
      signal: this.abort.signal,
      report: (event) => reporter.update(event),
      relaunch: (name) => this.relaunch(name),
      giveUp: (name, reason) => this.giveUp(name, reason),
    });
  }

  get order(): readonly string[] {
    return this.ordered.map((c) => c.name);
  }

  /** The component's current process (the latest one after a restart). */
  processOf(name: string): ManagedProcess | undefined {
    return this.entryOf(name)?.process;
  }

  /** Restarts the supervisor has begun for this component. */
  restartsOf(name: string): number {
    return this.supervisor.restartsOf(name);
  }

  /**
   * Brings everything up. On failure stops what was already started (reverse order) and rejects with a
   * ComponentFailedError; when stop() interrupts it, rejects with StartInterruptedError.
   */
  async start(): Promise<StartedComponent[]> {
    const attempt = this.bringUpAll();
    this.starting = attempt;
    await attempt;
    if (this.failure) {
      await this.stop();
      throw this.failure;
    }
    if (this.abort.signal.aborted) {
      await this.stop();
      throw new StartInterruptedError();
    }
    return [...this.started].sort((a, b) => this.order.indexOf(a.name) - this.order.indexOf(b.name));
  }

  /** Stops everything started, in reverse dependency order, each until its process is gone. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.abort.abort(new StartInterruptedError());
      // Wait for in-flight starts and restarts to settle: a process spawned meanwhile is then registered and stopped too.
      await this.starting;
      await this.supervisor.settled();
      for (const entry of [...this.running].reverse()) await this.stopOne(entry);
    })();
    return this.stopped;
  }

  private async bringUpAll(): Promise<void> {
    const finished = new Map<string, Promise<void>>();
    for (const component of this.ordered) {
      // Dependencies come earlier in `ordered`, so their promises already exist.
      const dependencies = (component.dependsOn ?? []).map((name) => finished.get(name) as Promise<void>);
      finished.set(
        component.name,
        Promise.all(dependencies).then(() => {
          this.abort.signal.throwIfAborted();
          return this.bringUp(component);
        }),
      );
    }
    await Promise.allSettled(finished.values());
  }

  private runContext(component: Component<C>): RunContext<C> {
    return {
      stack: this.ctx,
      signal: this.abort.signal,
      progress: (message) => this.reporter.update({ type: 'progress', name: component.name, message }),
    };
  }

  private async bringUp(component: Component<C>): Promise<void> {
    const began = Date.now();
    this.reporter.update({ type: 'starting', name: component.name });
    const launch: Launch<C> = {};
    try {
      const result = await this.launch(component, launch, false);
      const ms = Date.now() - began;
      const endpoint = component.endpoint?.(this.ctx);
      const process = launch.entry?.process;
      if (process) {
        this.started.push({ name: component.name, outcome: 'ready', ms, process, endpoint, logFile: this.logFileOf(component, process) });
        this.reporter.update({ type: 'ready', name: component.name, ms, endpoint, pid: process.pid });
      } else {
        const outcome = isManagedProcess(result) ? undefined : result;
        const type = outcome?.skipped ? 'skipped' : 'done';
        this.started.push({ name: component.name, outcome: type, ms, endpoint, detail: outcome?.detail });
        this.reporter.update({ type, name: component.name, ms, detail: outcome?.detail });
      }
    } catch (error) {
      // Once aborted, errors are the consequence (an interrupted step), not the cause.
      if (this.abort.signal.aborted && !this.isOwnFailure(component, error)) {
        this.reporter.update({ type: 'interrupted', name: component.name, ms: Date.now() - began });
        throw error;
      }
      this.fail(this.asFailure(component, error, launch.entry?.process), began);
      throw error;
    }
  }

  /** prepare → start (a process is owned from spawn) → health → afterHealthy, as on every start. */
  private async launch(component: Component<C>, launch: Launch<C>, restart: boolean): Promise<ManagedProcess | StepOutcome | void> {
    const run = this.runContext(component);
    await component.prepare?.(run);
    const result = await component.start?.(run);
    if (isManagedProcess(result)) launch.entry = this.register(component, result, restart);
    this.abort.signal.throwIfAborted();
    const process = launch.entry?.process;
    if (component.health) await this.waitHealthy(component, process);
    await component.afterHealthy?.(run);
    this.abort.signal.throwIfAborted();
    if (launch.entry) {
      const { exitCode } = launch.entry;
      if (exitCode !== undefined) throw this.asFailure(component, new Error(`exited (${exitCode}) before becoming healthy`), process);
      launch.entry.healthySince = Date.now();
    }
    return result;
  }

  /** The supervisor's restart: the same launch; a process that does not get healthy is stopped before the next try. */
  private async relaunch(name: string): Promise<ManagedProcess> {
    const component = this.ordered.find((c) => c.name === name) as Component<C>;
    const launch: Launch<C> = {};
    try {
      await this.launch(component, launch, true);
      if (!launch.entry) throw new Error('start() returned no process');
      return launch.entry.process;
    } catch (error) {
      // When stopping, stop() stops it like any other (and says so).
      if (launch.entry && !this.abort.signal.aborted) await this.stopOne(launch.entry, { quiet: true });
      throw error instanceof ComponentFailedError ? new Error(error.reason, { cause: error }) : error;
    }
  }

  private giveUp(name: string, reason: string): void {
    const component = this.ordered.find((c) => c.name === name) as Component<C>;
    const process = this.entryOf(name)?.process;
    const logFile = process ? this.logFileOf(component, process) : component.logFile?.(this.ctx);
    const failure = new ComponentFailedError(name, reason, logFile, logFile ? this.tailOf(logFile, process) : undefined, { hint: component.failureHint });
    this.fail(failure);
    this.reportCrashLoop?.(failure);
  }

  private entryOf(name: string): Running<C> | undefined {
    return this.running.find((entry) => entry.component.name === name);
  }

  private isOwnFailure(component: Component<C>, error: unknown): boolean {
    return error instanceof ComponentFailedError && error.component === component.name && this.failure === error;
  }

  private fail(failure: ComponentFailedError, began?: number): void {
    if (this.failure) return;
    this.failure = failure;
    this.reporter.update({ type: 'failed', name: failure.component, ms: began === undefined ? undefined : Date.now() - began, reason: failure.reason });
    this.abort.abort(failure);
  }

  private asFailure(component: Component<C>, error: unknown, process: ManagedProcess | undefined): ComponentFailedError {
    if (error instanceof ComponentFailedError) return error;
    const hint = component.failureHint;
    if (error instanceof TaskFailedError) {
      return new ComponentFailedError(component.name, `exited with ${error.exitCode}`, error.logFile, error.logTail, { cause: error, hint });
    }
    const logFile = process ? this.logFileOf(component, process) : component.logFile?.(this.ctx);
    const message = error instanceof Error ? error.message : String(error);
    return new ComponentFailedError(component.name, message, logFile, logFile ? this.tailOf(logFile, process) : undefined, { cause: error, hint });
  }

  private logFileOf(component: Component<C>, process: ManagedProcess): string {
    return component.logFile?.(this.ctx) ?? process.logFile;
  }

  private tailOf(logFile: string, process: ManagedProcess | undefined): string {
    // The process's own log starts this run at its recorded offset; other logs (a server's error log) have no marker.
    return readLogTail(logFile, 30, process && process.logFile === logFile ? process.logOffset : 0);
  }

  private register(component: Component<C>, process: ManagedProcess, restart: boolean): Running<C> {
    const entry: Running<C> = { component, process, stopping: false, restart };
    // A restarted process takes its predecessor's place, so the stop order stays the dependency order.
    const index = this.running.findIndex((other) => other.component.name === component.name);
    if (index >= 0) this.running[index] = entry;
    else this.running.push(entry);
    void process.exited.then((code) => {
      entry.exitCode = code;
      if (entry.stopping || this.stopped || this.abort.signal.aborted) return;
      const logFile = this.logFileOf(component, process);
      if (entry.healthySince !== undefined) {
        const crash = { name: component.name, pid: process.pid, code, at: Date.now(), healthySince: entry.healthySince };
        this.supervisor.crashed({ ...crash, logFile, logTail: this.tailOf(logFile, process) });
        return;
      }
      // Dead on its very first start: a config or install problem, not a crash; a restart's launch sees it itself.
      if (!entry.restart) {
        this.fail(new ComponentFailedError(component.name, `exited (${code}) before becoming healthy`, logFile, this.tailOf(logFile, process), { hint: component.failureHint }));
      }
    });
    return entry;
  }

  private async waitHealthy(component: Component<C>, process: ManagedProcess | undefined): Promise<void> {
    const health = component.health;
    if (!health) return;
    const timeoutMs = health.timeoutMs?.(this.ctx) ?? this.options.healthTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    let exitCode: number | string | undefined;
    void process?.exited.then((code) => (exitCode = code));
    let lastProblem = '';
    for (;;) {
      this.abort.signal.throwIfAborted();
      if (exitCode !== undefined) throw this.asFailure(component, new Error(`exited (${exitCode}) before becoming healthy`), process);
      try {
        if (await health.check(this.ctx)) return;
        lastProblem = '';
      } catch (error) {
        lastProblem = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() >= deadline) {
        const detail = lastProblem ? ` (last check: ${lastProblem})` : '';
        throw this.asFailure(component, new Error(`not healthy after ${timeoutMs} ms${detail}`), process);
      }
      await sleep(health.intervalMs ?? 100);
    }
  }

  private async stopOne(entry: Running<C>, options: { quiet?: boolean } = {}): Promise<void> {
    entry.stopping = true;
    const name = entry.component.name;
    if (entry.exitCode !== undefined) return;
    const began = Date.now();
    const reporter: Reporter = options.quiet ? { update: () => undefined } : this.reporter;
    reporter.update({ type: 'stopping', name });
    try {
      if (entry.component.stop) await entry.component.stop(entry.process, this.ctx);
      else {
        await stopPid(entry.process.pid, this.options.stopGraceMs);
        await entry.process.exited;
      }
      reporter.update({ type: 'stopped', name, ms: Date.now() - began });
    } catch (error) {
      // Keep going: one stubborn component must not leave the others running.
      reporter.update({ type: 'stopped', name, ms: Date.now() - began, problem: error instanceof Error ? error.message : String(error) });
    }
  }
}
