import type { FlagContext, FlagProvider, FlagStatus } from './flag-evaluator.js';

/**
 * A fixed decision per flag for tests: on/off for everyone, on for an explicit set of sticky keys, or any predicate.
 * (unleash-client does not export its hashing, so percentage rollouts are tested against the real client instead.)
 */
export type FakeFlagRule = boolean | { keys: Iterable<string> } | ((context: FlagContext) => boolean);

export interface FakeFlagEvaluator extends FlagProvider {
  set(flag: string, rule: FakeFlagRule): void;
  /** Every evaluation, in order, so tests can assert what the edge asked. */
  readonly calls: Array<{ flag: string; context: FlagContext }>;
}

function compile(rule: FakeFlagRule): (context: FlagContext) => boolean {
  if (typeof rule === 'boolean') return () => rule;
  if (typeof rule === 'function') return rule;
  const keys = new Set(rule.keys);
  return (context) => (context.userId !== undefined && keys.has(context.userId)) || (context.sessionId !== undefined && keys.has(context.sessionId));
}

export function createFakeFlagEvaluator(initial: Record<string, FakeFlagRule> = {}): FakeFlagEvaluator {
  const rules = new Map<string, (context: FlagContext) => boolean>();
  for (const [flag, rule] of Object.entries(initial)) rules.set(flag, compile(rule));
  const status: FlagStatus = { ready: true, source: 'static' };
  const calls: Array<{ flag: string; context: FlagContext }> = [];
  return {
    calls,
    isEnabled(flag, context) {
      calls.push({ flag, context: { ...context } });
      if (calls.length > 10_000) calls.splice(0, calls.length - 1000);
      return rules.get(flag)?.(context) ?? false;
    },
    set(flag, rule) {
      rules.set(flag, compile(rule));
    },
    status: () => status,
    ready: Promise.resolve(status),
    close: async () => undefined,
  };
}
