import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll, isBrokenCircuitError, type CircuitBreakerPolicy } from 'cockatiel';
import type { BreakerStateName } from '../metrics.js';

/** Thrown instead of calling a backend whose circuit is open (or half-open with its one trial already in flight). */
export class CircuitOpenError extends Error {
  constructor(readonly backend: string) {
    super(`circuit of ${backend} is open`);
    this.name = 'CircuitOpenError';
  }
}

export interface BackendBreaker {
  readonly backend: string;
  state(): BreakerStateName;
  /**
   * Runs `attempt` under the breaker: its rejection is a failure, its resolution a success. Rejects with
   * CircuitOpenError, without running it, while the circuit is open.
   */
  run(attempt: () => Promise<void>): Promise<void>;
}

export interface BreakerOptions {
  backend: string;
  /** Consecutive failures that open the circuit. */
  failures: number;
  /** How long the circuit stays open before one trial request is let through. */
  halfOpenAfterMs: number;
  onStateChange?: (backend: string, state: BreakerStateName) => void;
}

function stateName(state: CircuitState): BreakerStateName {
  switch (state) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    default:
      return 'open';
  }
}

/**
 * One cockatiel circuit breaker per new-service backend: `failures` consecutive failures open it; after
 * `halfOpenAfterMs` the next request is a trial — success closes it, failure opens it again.
 */
export function createBackendBreaker(options: BreakerOptions): BackendBreaker {
  const policy: CircuitBreakerPolicy = circuitBreaker(handleAll, {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.failures),
  });
  policy.onStateChange((state) => options.onStateChange?.(options.backend, stateName(state)));

  return {
    backend: options.backend,
    state: () => stateName(policy.state),
    async run(attempt) {
      // cockatiel queues callers behind a half-open trial; a read must not wait for it when legacy can serve now.
      if (policy.state === CircuitState.HalfOpen || policy.state === CircuitState.Isolated) throw new CircuitOpenError(options.backend);
      try {
        await policy.execute(attempt);
      } catch (error) {
        if (isBrokenCircuitError(error)) throw new CircuitOpenError(options.backend);
        throw error;
      }
    },
  };
}
