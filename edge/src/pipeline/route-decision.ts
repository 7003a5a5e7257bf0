import { READ_METHODS, type Slice } from '../routes/route-table.js';

/** What is known about a request the guards accepted (refusals are answered before routing). */
export interface RouteFacts {
  method: string;
  /** The slice whose route matched, or undefined. */
  slice: Slice | undefined;
  hasBody: boolean;
  /** Who is asking (verified user id, else the sid): what the slice's flag is evaluated for. */
  stickyKey: string;
}

/** In-memory lookups, asked only when the decision needs them (a flag evaluation is not free, and Unleash counts it). */
export interface RouteLookups {
  flagOn(slice: Slice, stickyKey: string): boolean;
  /** The slice's circuit refuses reads right now (open, or half-open with its trial in flight). */
  circuitOpen(slice: Slice): boolean;
}

export type LegacyReason =
  /** No slice route matched. */
  | 'unmatched'
  /** Anything but GET/HEAD. */
  | 'write'
  /** A read with a body could not be replayed to legacy if the service failed. */
  | 'read_with_body'
  | 'flag_off'
  /** Legacy stands in for the service: counted as a fallback. */
  | 'breaker_open';

export type RouteDecision =
  | { backend: 'legacy'; reason: LegacyReason; canFallBack: false }
  /** Legacy answers instead if the service fails before its response head. */
  | { backend: 'service'; reason: 'flag_on'; canFallBack: true };

const legacy = (reason: LegacyReason): RouteDecision => Object.freeze({ backend: 'legacy', reason, canFallBack: false });
const UNMATCHED = legacy('unmatched');
const WRITE = legacy('write');
const READ_WITH_BODY = legacy('read_with_body');
const FLAG_OFF = legacy('flag_off');
const BREAKER_OPEN = legacy('breaker_open');
const SERVICE: RouteDecision = Object.freeze({ backend: 'service', reason: 'flag_on', canFallBack: true });

/**
 * Who answers a request. Pure: no I/O, and the same facts and lookups give the same answer. Writes, and reads with a
 * body, always go to legacy; a bodiless read of a slice goes to its service when the slice's flag is on for this
 * sticky key and the service's circuit lets reads through. Only a service attempt can fall back to legacy.
 */
export function decideRoute(facts: RouteFacts, lookups: RouteLookups): RouteDecision {
  const { slice } = facts;
  if (!slice) return UNMATCHED;
  if (!READ_METHODS.has(facts.method)) return WRITE;
  if (facts.hasBody) return READ_WITH_BODY;
  if (!lookups.flagOn(slice, facts.stickyKey)) return FLAG_OFF;
  if (lookups.circuitOpen(slice)) return BREAKER_OPEN;
  return SERVICE;
}
