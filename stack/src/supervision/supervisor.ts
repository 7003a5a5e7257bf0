import { setTimeout as sleep } from 'node:timers/promises';
import type { ManagedProcess } from '../processes.js';
import { decideRestart, NO_FAILURES, recordFailure, recordRestart, type RestartDecision, type RestartHistory, type RestartPolicy } from './restart-policy.js';

/** The next restart, as the display announces it; absent when the supervisor gives up (crash loop). */
export interface PlannedRestart {
  attempt: number;
  inMs: number;
}

export type SupervisionEvent =
  | { type: 'exited'; name: string; pid: number; code: number | string; logFile: string; logTail: string; restart?: PlannedRestart }
  | { type: 'restarting'; name: string; attempt: number }
  | { type: 'restart-failed'; name: string; attempt: number; reason: string; restart?: PlannedRestart }
  /** Healthy again: `ms` from the crash to healthy, `restarts` begun so far. */
  | { type: 'restarted'; name: string; pid: number; restarts: number; ms: number }
  | { type: 'interrupted'; name: string; ms: number };

/** A process that had been healthy and exited without being asked to. */
export interface Crash {
  name: string;
  pid: number;
  code: number | string;
  at: number;
  healthySince: number;
  logFile: string;
  logTail: string;
}

export interface SupervisorDeps {
  policy: RestartPolicy;
  /** Aborted when the stack stops: back-off waits and restarts in flight end at once. */
  signal: AbortSignal;
  report(event: SupervisionEvent): void;
  /**
   * prepare → start → health → afterHealthy of the component again, its new process owned from spawn; rejects
   * (that process stopped) when it does not become healthy.
   */
  relaunch(name: string): Promise<ManagedProcess>;
  /** The component crash-looped: the stack should stop. */
  giveUp(name: string, reason: string): void;
  now?(): number;
}

function planned(decision: RestartDecision): PlannedRestart | undefined {
  return decision.action === 'restart' ? { attempt: decision.attempt, inMs: decision.delayMs } : undefined;
}

/**
 * Restarts components whose process crashed after being healthy, with the back-off of the restart policy, until
 * one crash-loops. The I/O shell around restart-policy.ts: it waits, relaunches and reports; dependants are
 * left alone (they cope with a dependency coming back).
 */
export class Supervisor {
  private readonly histories = new Map<string, RestartHistory>();
  private readonly recovering = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly deps: SupervisorDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Restarts begun for this component so far. */
  restartsOf(name: string): number {
    return this.histories.get(name)?.restarts ?? 0;
  }

  crashed(crash: Crash): void {
    const recovery: Promise<void> = this.recover(crash).finally(() => this.recovering.delete(recovery));
    this.recovering.add(recovery);
  }

  /** Resolves once no recovery is in flight (each ends promptly once the signal is aborted). */
  async settled(): Promise<void> {
    while (this.recovering.size > 0) await Promise.allSettled([...this.recovering]);
  }

  private async recover(crash: Crash): Promise<void> {
    const { policy, signal, report } = this.deps;
    const { name } = crash;
    let history = this.record(name, recordFailure(this.histories.get(name) ?? NO_FAILURES, { at: crash.at, healthyForMs: crash.at - crash.healthySince }, policy));
    let decision = decideRestart(history, crash.at, policy);
    report({ type: 'exited', name, pid: crash.pid, code: crash.code, logFile: crash.logFile, logTail: crash.logTail, restart: planned(decision) });
    let last = `exited (${crash.code})`;
    while (decision.action === 'restart') {
      const { attempt } = decision;
      try {
        await sleep(decision.delayMs, undefined, { signal });
      } catch {
        return; // stopping
      }
      history = this.record(name, recordRestart(history));
      const began = this.now();
      report({ type: 'restarting', name, attempt });
      try {
        const process = await this.deps.relaunch(name);
        report({ type: 'restarted', name, pid: process.pid, restarts: history.restarts, ms: this.now() - crash.at });
        return;
      } catch (error) {
        if (signal.aborted) {
          report({ type: 'interrupted', name, ms: this.now() - began });
          return;
        }
        last = error instanceof Error ? error.message : String(error);
        const at = this.now();
        history = this.record(name, recordFailure(history, { at }, policy));
        decision = decideRestart(history, at, policy);
        report({ type: 'restart-failed', name, attempt, reason: last, restart: planned(decision) });
      }
    }
    this.deps.giveUp(name, `crash-looped: ${decision.reason}; last: ${last}`);
  }

  private record(name: string, history: RestartHistory): RestartHistory {
    this.histories.set(name, history);
    return history;
  }
}
