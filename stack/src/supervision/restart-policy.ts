/**
 * When to restart a crashed component, and when to give up: docker's `restart: on-failure` back-off with systemd's
 * `StartLimitBurst`/`StartLimitIntervalSec`. Pure: the supervisor hands in what happened and the time.
 */
export interface RestartPolicy {
  /** Restarts allowed within `windowMs`; one more failure inside the window is a crash loop. 0: never restart. */
  burst: number;
  windowMs: number;
  /** Back-off before the first restart of a streak; doubles with every further failure. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A process that stayed healthy this long before it failed starts a new streak (back-off from the start). */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { burst: 5, windowMs: 60_000, initialDelayMs: 250, maxDelayMs: 10_000, resetAfterMs: 10_000 };

export interface RestartHistory {
  /** When each failure happened, oldest first: an exit after being healthy, or a restart that did not get healthy. */
  readonly failures: readonly number[];
  /** Failures since the component last stayed healthy for `resetAfterMs`: the back-off exponent. */
  readonly streak: number;
  /** Restarts begun so far. */
  readonly restarts: number;
}

export const NO_FAILURES: RestartHistory = { failures: [], streak: 0, restarts: 0 };

export interface Failure {
  at: number;
  /** How long the failed process had been healthy; undefined for a restart that never became healthy. */
  healthyForMs?: number;
}

export function recordFailure(history: RestartHistory, failure: Failure, policy: RestartPolicy): RestartHistory {
  const stable = failure.healthyForMs !== undefined && failure.healthyForMs >= policy.resetAfterMs;
  // Only the window matters for the limit, so older failures are dropped rather than kept forever.
  const failures = [...history.failures.filter((at) => at > failure.at - policy.windowMs), failure.at];
  return { failures, streak: (stable ? 0 : history.streak) + 1, restarts: history.restarts };
}

export function recordRestart(history: RestartHistory): RestartHistory {
  return { ...history, restarts: history.restarts + 1 };
}

export type RestartDecision =
  | { action: 'restart'; attempt: number; delayMs: number }
  | { action: 'give-up'; reason: string; failuresInWindow: number };

/** What to do `now`, right after the last recorded failure. */
export function decideRestart(history: RestartHistory, now: number, policy: RestartPolicy): RestartDecision {
  const failuresInWindow = history.failures.filter((at) => at > now - policy.windowMs).length;
  if (failuresInWindow > policy.burst) {
    return {
      action: 'give-up',
      failuresInWindow,
      reason:
        `${failuresInWindow} failures within ${seconds(policy.windowMs)} after ${history.restarts} restart${history.restarts === 1 ? '' : 's'} ` +
        `(limit: ${policy.burst} restart${policy.burst === 1 ? '' : 's'} per ${seconds(policy.windowMs)})`,
    };
  }
  const exponent = Math.max(0, history.streak - 1);
  // Capped before it can overflow: 2^exponent grows past any sane cap within a few dozen failures.
  const delayMs = exponent >= 30 ? policy.maxDelayMs : Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** exponent);
  return { action: 'restart', attempt: history.restarts + 1, delayMs };
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} s`;
}
