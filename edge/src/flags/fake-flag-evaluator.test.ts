import { describe, expect, it } from 'vitest';
import { createFakeFlagEvaluator } from './fake-flag-evaluator.js';

describe('createFakeFlagEvaluator', () => {
  it('answers fixed, per-key and predicate rules, and false for unknown flags', () => {
    const flags = createFakeFlagEvaluator({ on: true, off: false, some: { keys: ['7'] }, odd: (c) => Number(c.userId) % 2 === 1 });
    const as = (key: string) => ({ userId: key, sessionId: key });
    expect(flags.isEnabled('on', as('1'))).toBe(true);
    expect(flags.isEnabled('off', as('1'))).toBe(false);
    expect(flags.isEnabled('some', as('7'))).toBe(true);
    expect(flags.isEnabled('some', as('8'))).toBe(false);
    expect(flags.isEnabled('some', { sessionId: '7' })).toBe(true);
    expect(flags.isEnabled('odd', as('3'))).toBe(true);
    expect(flags.isEnabled('missing', as('1'))).toBe(false);
    flags.set('off', true);
    expect(flags.isEnabled('off', as('1'))).toBe(true);
    expect(flags.calls).toHaveLength(8);
    expect(flags.status()).toEqual({ ready: true, source: 'static' });
  });
});
