/** What a flag is evaluated for. The edge passes the sticky key as both, so any stickiness setting agrees. */
export interface FlagContext {
  userId?: string;
  sessionId?: string;
}

/** Evaluates a flag in memory: called on every routed request, so it must never do I/O. */
export interface FlagEvaluator {
  isEnabled(flag: string, context: FlagContext): boolean;
}

/**
 * Where the current flags came from: `unleash` (synchronized with the server), `snapshot` (the last known flags,
 * from disk), `none` (no flags at all: every flag is off, so every slice is on legacy), `static` (fixed, tests).
 */
export type FlagSource = 'unleash' | 'snapshot' | 'none' | 'static';

export interface FlagStatus {
  /** True once flags can be evaluated meaningfully, including the explicit all-legacy state. */
  ready: boolean;
  source: FlagSource | 'starting';
  note?: string;
}

/** A flag evaluator with a lifecycle: what `/ready` reports and what shutdown closes. */
export interface FlagProvider extends FlagEvaluator {
  /** What /ready reports: ready once flags are loaded, or at once in the explicit all-legacy state when there are none. */
  status(): FlagStatus;
  /** Resolves once flags are loaded: synchronized with Unleash or bootstrapped from the snapshot (never for `none`). */
  ready: Promise<FlagStatus>;
  close(): Promise<void>;
}

export const NO_FLAGS_NOTE = 'no flags: all legacy';
