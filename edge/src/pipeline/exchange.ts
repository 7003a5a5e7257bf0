import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Slice } from '../routes/route-table.js';
import { REQUEST_ID } from '../security/headers.js';
import type { Upstream } from '../proxy/upstreams.js';

/** Why legacy served a read meant for the service; `hedge`: the service was slower than legacy after the hedge delay. */
export type FallbackReason = 'status_5xx' | 'connection_error' | 'timeout' | 'breaker_open' | 'hedge';

/**
 * The hedge of one service read: armed with the service attempt; `sent` once the delay passed without the service's
 * head (legacy is asked too); then `won` (legacy's answer is the client's), `lost` (the service answered first, the
 * hedge was abandoned), `failed` (legacy gave no valid answer), or `cancelled` (the service settled before the delay).
 */
export interface Hedge {
  phase: 'armed' | 'cancelled' | 'sent' | 'won' | 'lost' | 'failed';
  delayMs: number;
  timer: NodeJS.Timeout | undefined;
  /** The request to legacy, once it has its socket. */
  req: ClientRequest | undefined;
  timedOut: boolean;
  /** Set when the service failed while the hedge was in flight: the hedge is then the read's fallback. */
  serviceFailed: FallbackReason | undefined;
}

/**
 * One client request and its answer while in flight: what every step of the pipeline reads and updates. One flat
 * object per request, so the hot path allocates once and every access stays monomorphic.
 */
export interface Exchange {
  // What the request is.
  req: IncomingMessage;
  res: ServerResponse;
  started: bigint;
  requestId: string;
  hasBody: boolean;
  slice: Slice | undefined;
  /** A sid the edge has just issued; the answer sets it as a cookie. */
  issuedSid: string | undefined;

  // Who answers it.
  /** Which upstream the current attempt goes to, or `edge` while the edge answers itself. */
  stage: 'edge' | 'service' | 'legacy';
  /** The backend that is answering (legacy or the slice name), or `edge` for the edge's own answers. */
  backend: string;
  /** Set when legacy answers a read meant for the service. */
  fallback: FallbackReason | undefined;

  // The current upstream attempt.
  upstream: Upstream | undefined;
  /** Counts the upstream attempts: failures of an earlier (abandoned) one are ignored. */
  attempt: number;
  /** Set once it has its socket; events of any other (abandoned) upstream request are ignored. */
  upstreamReq: ClientRequest | undefined;
  timedOut: boolean;
  /** Why the service attempt failed, once it has. */
  failure: FallbackReason | undefined;
  /** Reports the service attempt's outcome to its breaker; set while a service attempt is undecided. */
  settle: ((error?: Error) => void) | undefined;
  /** A bodiless read that hit a pooled connection the upstream had just closed is re-sent once. */
  retried: boolean;
  /** When the service attempt was sent (performance.now()): its time to head feeds the hedge delay. */
  serviceSentAt: number;
  /** The hedge of a service read, when hedging is on. */
  hedge: Hedge | undefined;

  // How it ends.
  bodyTooLarge: boolean;
  closed: boolean;
}

const EXCHANGE = Symbol('edge.exchange');
type Carrier = { [EXCHANGE]?: Exchange };

/** The exchange a client response or an upstream request belongs to (their events carry no other context). */
export function exchangeOf(carrier: object): Exchange | undefined {
  return (carrier as Carrier)[EXCHANGE];
}

export function attachExchange(carrier: object, exchange: Exchange): void {
  (carrier as Carrier)[EXCHANGE] = exchange;
}

/** A new exchange for a request just received, with its request id (the client's if well-formed, else a UUID). */
export function openExchange(req: IncomingMessage, res: ServerResponse): Exchange {
  const inboundId = req.headers['x-request-id'];
  const exchange: Exchange = {
    req,
    res,
    started: process.hrtime.bigint(),
    requestId: typeof inboundId === 'string' && REQUEST_ID.test(inboundId) ? inboundId : randomUUID(),
    hasBody: false,
    slice: undefined,
    issuedSid: undefined,
    stage: 'edge',
    backend: 'edge',
    fallback: undefined,
    upstream: undefined,
    attempt: 0,
    upstreamReq: undefined,
    timedOut: false,
    failure: undefined,
    settle: undefined,
    retried: false,
    serviceSentAt: 0,
    hedge: undefined,
    bodyTooLarge: false,
    closed: false,
  };
  attachExchange(res, exchange);
  return exchange;
}
