import { describe, expect, it } from 'vitest';
import type { Slice } from '../routes/route-table.js';
import { decideRoute, type RouteDecision, type RouteLookups } from './route-decision.js';

const users: Slice = { name: 'users', flag: 'users.reads', legacy: 'http://legacy', service: 'http://users', routes: [] };

interface Row {
  name: string;
  method: string;
  slice: Slice | undefined;
  body: boolean;
  /** The slice's flag for this visitor; off is also what `strangler kill` leaves for everyone. */
  flag: 'on' | 'off';
  circuit: 'closed' | 'open';
  expected: Pick<RouteDecision, 'backend' | 'reason' | 'canFallBack'>;
  /** Which lookups the decision may ask: a flag evaluation costs and is counted by Unleash. */
  asks: { flag: boolean; circuit: boolean };
}

const toService = { backend: 'service', reason: 'flag_on', canFallBack: true } as const;
const toLegacy = (reason: RouteDecision['reason']) => ({ backend: 'legacy', reason, canFallBack: false }) as const;
const none = { flag: false, circuit: false };
const flagOnly = { flag: true, circuit: false };
const both = { flag: true, circuit: true };

const rows: Row[] = [
  { name: 'unmatched GET', method: 'GET', slice: undefined, body: false, flag: 'on', circuit: 'closed', expected: toLegacy('unmatched'), asks: none },
  { name: 'unmatched POST', method: 'POST', slice: undefined, body: true, flag: 'on', circuit: 'closed', expected: toLegacy('unmatched'), asks: none },
  { name: 'GET, flag on, circuit closed', method: 'GET', slice: users, body: false, flag: 'on', circuit: 'closed', expected: toService, asks: both },
  { name: 'HEAD, flag on, circuit closed', method: 'HEAD', slice: users, body: false, flag: 'on', circuit: 'closed', expected: toService, asks: both },
  { name: 'GET, flag off', method: 'GET', slice: users, body: false, flag: 'off', circuit: 'closed', expected: toLegacy('flag_off'), asks: flagOnly },
  { name: 'GET, killed (flag off), circuit open', method: 'GET', slice: users, body: false, flag: 'off', circuit: 'open', expected: toLegacy('flag_off'), asks: flagOnly },
  { name: 'GET, flag on, circuit open', method: 'GET', slice: users, body: false, flag: 'on', circuit: 'open', expected: toLegacy('breaker_open'), asks: both },
  { name: 'GET with a body, flag on', method: 'GET', slice: users, body: true, flag: 'on', circuit: 'closed', expected: toLegacy('read_with_body'), asks: none },
  { name: 'HEAD with a body, flag on', method: 'HEAD', slice: users, body: true, flag: 'on', circuit: 'closed', expected: toLegacy('read_with_body'), asks: none },
  { name: 'POST, flag on', method: 'POST', slice: users, body: true, flag: 'on', circuit: 'closed', expected: toLegacy('write'), asks: none },
  { name: 'PATCH, flag on', method: 'PATCH', slice: users, body: true, flag: 'on', circuit: 'closed', expected: toLegacy('write'), asks: none },
  { name: 'DELETE without a body, flag on', method: 'DELETE', slice: users, body: false, flag: 'on', circuit: 'closed', expected: toLegacy('write'), asks: none },
  { name: 'OPTIONS, flag on', method: 'OPTIONS', slice: users, body: false, flag: 'on', circuit: 'closed', expected: toLegacy('write'), asks: none },
];

describe('decideRoute', () => {
  it.each(rows)('$name → $expected.backend ($expected.reason)', ({ method, slice, body, flag, circuit, expected, asks }) => {
    const asked = { flag: false, circuit: false };
    const lookups: RouteLookups = {
      flagOn(flagSlice, stickyKey) {
        asked.flag = true;
        expect([flagSlice.name, stickyKey]).toEqual(['users', 'visitor-1']);
        return flag === 'on';
      },
      circuitOpen(circuitSlice) {
        asked.circuit = true;
        expect(circuitSlice.name).toBe('users');
        return circuit === 'open';
      },
    };

    const decision = decideRoute({ method, slice, hasBody: body, stickyKey: 'visitor-1' }, lookups);

    expect(decision).toEqual(expected);
    expect(asked).toEqual(asks);
  });

  it('gives the same answer for the same facts (no hidden state)', () => {
    const lookups: RouteLookups = { flagOn: () => true, circuitOpen: () => false };
    const facts = { method: 'GET', slice: users, hasBody: false, stickyKey: 'k' };
    expect(decideRoute(facts, lookups)).toEqual(decideRoute(facts, lookups));
  });
});
