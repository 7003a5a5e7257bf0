import type { ManagedProcess } from './processes.js';
import type { Prerequisite } from './prerequisites.js';
import type { SecretDeclaration } from './secrets.js';

/**
 * One piece of the local topology: a long-running process (database, broker, service, proxy) or a setup step
 * (migrations, seeding, topic creation) that runs to completion. The orchestrator calls, in this order:
 * `prepare` → `start` → `health.check` (polled) → `afterHealthy`; and `stop` in reverse dependency order.
 * A process that exits after it was healthy is restarted with the same sequence (supervision/), while the rest of
 * the stack runs on. Everything is optional except the name, so a component declares only what it has.
 *
 * `C` is what the launcher hands every component (config, paths, secrets, base env); see StackContext.
 */
export interface Component<C> {
  name: string;
  /** Components that must be healthy (services) or finished (setup steps) before this one starts. */
  dependsOn?: readonly string[];
  /** What this machine needs installed; all are checked before anything starts. */
  prerequisites?: readonly Prerequisite[];
  /** Keys in the stack's secrets file this component reads; generated on first start, reused after. */
  secrets?: readonly SecretDeclaration[];
  /** Ports it will listen on and the env var that changes each one; checked free before anything starts. */
  ports?(ctx: C): readonly PortClaim[];
  /** Stops whatever a crashed earlier run left behind (by pid file); true when something was stopped. */
  stopLeftovers?(ctx: C): Promise<boolean>;
  /**
   * Deletes what it keeps outside STACK_DIR (`npm run stack:reset` deletes STACK_DIR itself); returns the folder
   * it removed, if any.
   */
  removeExternalState?(ctx: C): string | undefined;
  /** Idempotent first-run work (create a data dir, write a config file). Runs on every start. */
  prepare?(ctx: RunContext<C>): Promise<void>;
  /**
   * Launches the process and returns it without waiting for it to be healthy (the orchestrator then owns it),
   * or, for a setup step, does the work and returns how it went (or nothing).
   */
  start?(ctx: RunContext<C>): Promise<ManagedProcess | StepOutcome | void>;
  /** Polled after `start` until it resolves true; a check that throws counts as "not yet". */
  health?: HealthCheck<C>;
  /** Idempotent work once healthy, on every start (create accounts, topics, connectors). */
  afterHealthy?(ctx: RunContext<C>): Promise<void>;
  /** Stops the process and resolves once it is gone (default: SIGTERM, SIGKILL after the grace period). */
  stop?(process: ManagedProcess, ctx: C): Promise<void>;
  /** What it exposes, for the summary table: a URL or host:port. */
  endpoint?(ctx: C): string;
  /** One line printed under the summary table (e.g. where its credentials are); never a secret in full. */
  readyNote?(ctx: C): string | undefined;
  /** The log worth reading when it fails (default: the process's own output log). */
  logFile?(ctx: C): string;
  /** Printed under a failure: the likely cause and what to do about it. */
  failureHint?: string;
}

export interface RunContext<C> {
  stack: C;
  /** Aborted when the launcher is stopping (Ctrl-C) or another component failed: give up promptly. */
  signal: AbortSignal;
  /** Shows a short status ("users 300/1000") next to the component in the progress display. */
  progress(message: string): void;
}

export interface StepOutcome {
  /** True when there was nothing to do (e.g. the data was seeded on an earlier start). */
  skipped?: boolean;
  /** One line for the progress display. */
  detail?: string;
}

export interface HealthCheck<C> {
  check(ctx: C): Promise<boolean>;
  /** Default: the launcher's health timeout. */
  timeoutMs?(ctx: C): number;
  intervalMs?: number;
}

export interface PortClaim {
  port: number;
  /** The environment variable that moves it, named in the "port in use" message. */
  env: string;
}

export function isManagedProcess(value: ManagedProcess | StepOutcome | void): value is ManagedProcess {
  return typeof value === 'object' && value !== null && 'pid' in value;
}
