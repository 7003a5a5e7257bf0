import type { Logger } from '@strangler/platform';
import { BREAKER_STATE_VALUE, type EdgeMetrics } from '../metrics.js';
import type { RouteTable, Slice } from '../routes/route-table.js';
import { createBackendBreaker, type BackendBreaker } from '../proxy/breaker.js';
import type { Upstream, UpstreamPool } from '../proxy/upstreams.js';

export interface SliceBackends {
  legacy: Upstream;
  service: Upstream;
  breaker: BackendBreaker;
}

export interface BackendOptions {
  table: RouteTable;
  pool: UpstreamPool;
  breakerFailures: number;
  breakerHalfOpenMs: number;
  metrics: EdgeMetrics;
  logger: Logger;
}

/**
 * The upstreams the route table names (pooled: a URL shared by several slices is one pool) and each service's
 * circuit breaker, whose transitions are counted and logged. Nothing else is ever contacted.
 */
export function createBackends(options: BackendOptions) {
  const { table, pool, metrics, logger } = options;
  const defaultLegacy = pool.get(table.legacy);
  const bySlice = new Map<string, SliceBackends>();
  /** When each circuit last opened, by our clock: cockatiel sets its own a moment earlier. */
  const openedAt = new Map<string, number>();

  for (const slice of table.slices) {
    metrics.breakerState.set({ backend: slice.name }, BREAKER_STATE_VALUE.closed);
    bySlice.set(slice.name, {
      legacy: pool.get(slice.legacy),
      service: pool.get(slice.service),
      breaker: createBackendBreaker({
        backend: slice.name,
        failures: options.breakerFailures,
        halfOpenAfterMs: options.breakerHalfOpenMs,
        onStateChange(backend, state) {
          if (state === 'open') openedAt.set(backend, Date.now());
          metrics.breakerState.set({ backend }, BREAKER_STATE_VALUE[state]);
          metrics.breakerTransitions.inc({ backend, state });
          const message = `circuit ${state}: ${state === 'closed' ? 'reads follow the flag again' : state === 'open' ? 'reads go to legacy' : 'one trial read'}`;
          logger[state === 'open' ? 'warn' : 'info']({ backend, breaker: state }, message);
        },
      }),
    });
  }

  return {
    forSlice(slice: Slice): SliceBackends | undefined {
      return bySlice.get(slice.name);
    },

    /** Where a request goes when it is not the service's: its slice's legacy, or the table's. */
    legacyFor(slice: Slice | undefined): Upstream {
      return (slice && bySlice.get(slice.name)?.legacy) || defaultLegacy;
    },

    /**
     * Whether the slice's circuit refuses a read now, without asking it: half-open (its one trial is in flight), or
     * open and not yet due for a trial. A millisecond early rather than late: when this says "due" and the breaker
     * still refuses, the read falls back as `breaker_open` all the same; the other way round would delay the trial.
     */
    circuitOpen(slice: Slice): boolean {
      const breaker = bySlice.get(slice.name)?.breaker;
      if (!breaker) return false;
      const state = breaker.state();
      if (state === 'closed') return false;
      if (state === 'half-open') return true;
      return Date.now() - (openedAt.get(slice.name) ?? 0) < options.breakerHalfOpenMs - 1;
    },
  };
}

export type Backends = ReturnType<typeof createBackends>;
