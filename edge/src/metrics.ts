import { Gauge } from 'prom-client';
import { Counter, Histogram, createMetrics, type Metrics } from '@strangler/platform';
import type { FlagStatus } from './flags/flag-evaluator.js';

export type BreakerStateName = 'closed' | 'half-open' | 'open';
export const BREAKER_STATE_VALUE: Record<BreakerStateName, number> = { closed: 0, 'half-open': 1, open: 2 };

export interface EdgeMetrics extends Metrics {
  /** Every request the edge answered: slice (or none), the backend that answered (or edge), final status. */
  requests: Counter<'slice' | 'backend' | 'status'>;
  latency: Histogram<'slice' | 'backend'>;
  /** Reads a slice's flag sent to its service that legacy served instead, and why. */
  fallbacks: Counter<'slice' | 'reason'>;
  breakerState: Gauge<'backend'>;
  breakerTransitions: Counter<'backend' | 'state'>;
  /** Requests the edge refused itself (4xx before any upstream), by error code. */
  rejections: Counter<'code'>;
  /** Service reads also sent to legacy because the service had not answered within the hedge delay. */
  hedges: Counter<'slice'>;
  /** Which backend answered a hedged read. */
  hedgeWins: Counter<'slice' | 'winner'>;
  /** The current hedge delay of each slice's service. */
  hedgeDelay: Gauge<'slice'>;
}

/** The edge's metrics on a registry of its own (platform's createMetrics), plus flag readiness read at scrape time. */
export function createEdgeMetrics(options: { flagStatus: () => FlagStatus; collectDefaults?: boolean }): EdgeMetrics {
  const base = createMetrics({ service: 'edge', collectDefaults: options.collectDefaults ?? true });
  const registers = [base.registry];
  const requests = new Counter({
    name: 'edge_requests_total',
    help: 'Requests answered by the edge, by slice, backend and status',
    labelNames: ['slice', 'backend', 'status'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'edge_request_duration_seconds',
    help: 'Time from request to the end of the response, by slice and backend',
    labelNames: ['slice', 'backend'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const fallbacks = new Counter({
    name: 'edge_fallbacks_total',
    help: 'Reads meant for a new service that legacy served, by slice and reason',
    labelNames: ['slice', 'reason'] as const,
    registers,
  });
  const breakerState = new Gauge({
    name: 'edge_breaker_state',
    help: 'Circuit breaker of each new service: 0 closed, 1 half-open, 2 open',
    labelNames: ['backend'] as const,
    // Each worker process has its own breakers: across workers, report the worst.
    aggregator: 'max',
    registers,
  });
  const breakerTransitions = new Counter({
    name: 'edge_breaker_transitions_total',
    help: 'Circuit breaker state changes, by backend and the state entered',
    labelNames: ['backend', 'state'] as const,
    registers,
  });
  const rejections = new Counter({
    name: 'edge_rejected_requests_total',
    help: 'Requests the edge refused before routing, by error code',
    labelNames: ['code'] as const,
    registers,
  });
  const hedges = new Counter({
    name: 'edge_hedges_total',
    help: 'Service reads also sent to legacy after the hedge delay, by slice',
    labelNames: ['slice'] as const,
    registers,
  });
  const hedgeWins = new Counter({
    name: 'edge_hedge_wins_total',
    help: 'Hedged reads by the backend whose answer the client got (legacy or service)',
    labelNames: ['slice', 'winner'] as const,
    registers,
  });
  const hedgeDelay = new Gauge({
    name: 'edge_hedge_delay_seconds',
    help: 'Current hedge delay of each slice\'s service (its recent read latency quantile times the factor, clamped)',
    labelNames: ['slice'] as const,
    aggregator: 'max',
    registers,
  });
  new Gauge({
    name: 'edge_flags_ready',
    help: 'Whether flags are loaded (1) and from where: unleash, snapshot, none (all legacy), static',
    labelNames: ['source'] as const,
    registers,
    // Across workers: ready only when every one is.
    aggregator: 'min',
    collect() {
      const status = options.flagStatus();
      this.reset();
      this.set({ source: status.source }, status.ready ? 1 : 0);
    },
  });
  return { ...base, requests, latency, fallbacks, breakerState, breakerTransitions, rejections, hedges, hedgeWins, hedgeDelay };
}
