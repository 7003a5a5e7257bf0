import type { IncomingMessage } from 'node:http';
import type { Logger } from '@strangler/platform';
import type { EdgeMetrics } from '../metrics.js';
import { READ_METHODS, type Slice } from '../routes/route-table.js';
import { CircuitOpenError } from '../proxy/breaker.js';
import type { Upstream } from '../proxy/upstreams.js';
import type { Backends } from './backends.js';
import type { Exchange, FallbackReason, Hedge } from './exchange.js';
import { createHedgeDelay, type HedgeDelay, type HedgeDelayOptions } from './hedge-delay.js';
import type { ResponseWriter } from './response-writer.js';
import { createUpstreamRequests } from './upstream-request.js';

export interface HedgeOptions extends HedgeDelayOptions {
  enabled: boolean;
}

export interface UpstreamAttemptOptions {
  /** Longest silence from legacy (connect, head, between body chunks), and from a service once its head is in. */
  upstreamTimeoutMs: number;
  /** Longest wait for a service's response head before legacy serves the read instead. */
  serviceTimeoutMs: number;
  /** Hedging of service reads (see toService). */
  hedge: HedgeOptions;
  backends: Backends;
  writer: ResponseWriter;
  metrics: EdgeMetrics;
  logger: Logger;
}

/**
 * Carries out a route decision. Legacy: the request is streamed there and the response streamed back as it comes —
 * no fallback can follow, so nothing waits and nothing is inspected. A failure before the head is a 502/504 (a
 * bodiless read that met a just-closed pooled connection is re-sent once). Service: the attempt runs under the
 * service's circuit breaker with SERVICE_TIMEOUT_MS for the head; a 5xx, a connection error or a timeout is
 * discarded before anything reaches the client and the read is re-sent to legacy.
 *
 * Hedging (HEDGE_ENABLED): when the service has not sent its head within the hedge delay (its own recent latency,
 * hedge-delay.ts), the same bodiless read also goes to legacy, and the first valid answer (a head below 500) is the
 * client's; the other request is destroyed, so exactly one response is written. Legacy winning is a failure for the
 * service's breaker (a frozen service opens it after BREAKER_FAILURES hedged reads, instead of after as many full
 * timeouts) and a fallback (`hedge`); the client sees `x-strangler-backend: legacy`. Only service reads are hedged:
 * the route decision sends writes and reads with a body to legacy alone.
 */
export function createUpstreamAttempts(options: UpstreamAttemptOptions) {
  const { backends, writer, metrics, logger } = options;
  const upstreamRequests = createUpstreamRequests(
    { response: onResponse, error: onError, hedgeResponse: onHedgeResponse, hedgeError: onHedgeError },
    { legacyMs: options.upstreamTimeoutMs, serviceMs: options.serviceTimeoutMs },
  );
  const hedging = options.hedge;
  /** Each slice's hedge delay, from its service's successful reads. */
  const delays = new Map<string, { delay: HedgeDelay; reported: number }>();
  function delayOf(slice: Slice) {
    let entry = delays.get(slice.name);
    if (!entry) {
      entry = { delay: createHedgeDelay(hedging), reported: -1 };
      delays.set(slice.name, entry);
    }
    return entry;
  }

  function toLegacy(exchange: Exchange, upstream: Upstream, resend = false): void {
    exchange.stage = 'legacy';
    exchange.backend = 'legacy';
    upstreamRequests.send(exchange, upstream, resend);
  }

  function toService(exchange: Exchange, slice: Slice): void {
    const sliceBackends = backends.forSlice(slice);
    if (!sliceBackends) {
      toLegacy(exchange, backends.legacyFor(undefined));
      return;
    }
    sliceBackends.breaker
      .run(
        () =>
          new Promise<void>((resolve, reject) => {
            exchange.stage = 'service';
            exchange.backend = slice.name;
            exchange.failure = undefined;
            exchange.settle = (error) => {
              exchange.settle = undefined;
              if (exchange.hedge?.phase === 'armed') cancelHedge(exchange.hedge);
              if (error) reject(error);
              else resolve();
            };
            exchange.serviceSentAt = performance.now();
            upstreamRequests.send(exchange, sliceBackends.service, false);
            armHedge(exchange, slice);
          }),
      )
      .then(undefined, (error: unknown) => {
        const reason: FallbackReason = error instanceof CircuitOpenError ? 'breaker_open' : (exchange.failure ?? 'connection_error');
        const hedge = exchange.hedge;
        // Legacy is answering already (it won the race), or has been asked: its answer is the fallback.
        if (hedge?.phase === 'won') return;
        if (hedge?.phase === 'sent') {
          hedge.serviceFailed = reason;
          return;
        }
        fallBack(exchange, slice, reason, error);
      });
  }

  function armHedge(exchange: Exchange, slice: Slice): void {
    if (!hedging.enabled || exchange.hasBody || !READ_METHODS.has(exchange.req.method ?? '')) return;
    const entry = delayOf(slice);
    const delayMs = entry.delay.delayMs();
    if (delayMs !== entry.reported) {
      entry.reported = delayMs;
      metrics.hedgeDelay.set({ slice: slice.name }, delayMs / 1000);
    }
    const hedge: Hedge = { phase: 'armed', delayMs, timer: undefined, req: undefined, timedOut: false, serviceFailed: undefined };
    exchange.hedge = hedge;
    hedge.timer = setTimeout(sendHedge, delayMs, exchange, slice);
  }

  function cancelHedge(hedge: Hedge): void {
    clearTimeout(hedge.timer);
    hedge.timer = undefined;
    hedge.phase = 'cancelled';
  }

  function sendHedge(exchange: Exchange, slice: Slice): void {
    const hedge = exchange.hedge;
    if (!hedge || hedge.phase !== 'armed') return;
    hedge.timer = undefined;
    if (exchange.closed || exchange.stage !== 'service' || !exchange.settle || exchange.res.headersSent) {
      hedge.phase = 'cancelled';
      return;
    }
    hedge.phase = 'sent';
    metrics.hedges.inc({ slice: slice.name });
    logger.debug({ reqId: exchange.requestId, slice: slice.name, delayMs: hedge.delayMs }, 'service is slow: read hedged to legacy');
    upstreamRequests.sendHedge(exchange, backends.legacyFor(slice), hedge);
  }

  /** The service answered first: abandon a hedge in flight, and learn from the answer's latency. */
  function serviceAnswered(exchange: Exchange, slice: Slice): void {
    delayOf(slice).delay.record(performance.now() - exchange.serviceSentAt);
    const hedge = exchange.hedge;
    if (hedge?.phase !== 'sent') return;
    hedge.phase = 'lost';
    const req = hedge.req;
    hedge.req = undefined;
    req?.destroy();
    metrics.hedgeWins.inc({ slice: slice.name, winner: 'service' });
  }

  /** A hedge's head: the client's answer if it is valid (or if the service has failed meanwhile). */
  function onHedgeResponse(exchange: Exchange, upstreamRes: IncomingMessage): void {
    const hedge = exchange.hedge;
    const slice = exchange.slice;
    if (!hedge || !slice || exchange.closed || exchange.res.headersSent) {
      upstreamRes.resume();
      return;
    }
    const status = upstreamRes.statusCode ?? 502;
    if (status >= 500 && hedge.serviceFailed === undefined) {
      // Not a valid answer while the service may still give one: drop it and keep waiting for the service.
      hedge.phase = 'failed';
      hedge.req = undefined;
      upstreamRes.resume();
      return;
    }
    hedge.phase = 'won';
    const reason = hedge.serviceFailed ?? 'hedge';
    if (hedge.serviceFailed === undefined) {
      // The service lost the race: abandon its attempt (its events are ignored from here on) and tell its breaker.
      const serviceReq = exchange.upstreamReq;
      exchange.attempt++;
      exchange.failure = 'hedge';
      exchange.settle?.(new Error(`${slice.name} sent no response head within the hedge delay (${hedge.delayMs} ms); legacy answered first`));
      serviceReq?.destroy();
    }
    exchange.stage = 'legacy';
    exchange.backend = 'legacy';
    exchange.upstream = backends.legacyFor(slice);
    exchange.upstreamReq = hedge.req;
    exchange.fallback = reason;
    metrics.fallbacks.inc({ slice: slice.name, reason });
    metrics.hedgeWins.inc({ slice: slice.name, winner: 'legacy' });
    const fields = { reqId: exchange.requestId, slice: slice.name, reason, delayMs: hedge.delayMs };
    if (reason === 'hedge') logger.info(fields, 'new service was slower than legacy: the hedged read is served from legacy');
    else logger.warn(fields, 'new service failed a read: serving it from legacy');
    writer.relay(exchange, upstreamRes);
  }

  function onHedgeError(exchange: Exchange, error: NodeJS.ErrnoException): void {
    const hedge = exchange.hedge;
    if (!hedge) return;
    if (hedge.phase === 'won') {
      // Failed mid-body: bytes are out, nothing to fall back to.
      if (!exchange.res.writableFinished) exchange.res.destroy();
      return;
    }
    hedge.phase = 'failed';
    hedge.req = undefined;
    logger.debug({ reqId: exchange.requestId, err: { message: error.message, code: error.code } }, 'hedged read to legacy failed');
    // The service may still answer; if it has failed already, legacy gets the read once more as a plain fallback.
    if (hedge.serviceFailed !== undefined && exchange.slice) fallBack(exchange, exchange.slice, hedge.serviceFailed, error);
  }

  /** Legacy serves a read meant for the service. */
  function fallBack(exchange: Exchange, slice: Slice, reason: FallbackReason, error?: unknown): void {
    if (exchange.closed) return;
    exchange.fallback = reason;
    metrics.fallbacks.inc({ slice: slice.name, reason });
    // An open circuit is logged once, at its transition; each failure that causes a fallback is logged here.
    if (reason !== 'breaker_open') {
      logger.warn(
        { reqId: exchange.requestId, slice: slice.name, reason, err: { message: (error as Error | undefined)?.message } },
        'new service failed a read: serving it from legacy',
      );
    }
    try {
      toLegacy(exchange, backends.legacyFor(slice), true);
    } catch (failure) {
      // Possibly in a promise callback: an answer, not an unhandled rejection.
      logger.error({ err: failure, reqId: exchange.requestId }, 'edge failed to route a request');
      exchange.backend = 'edge';
      writer.reply(exchange, 502, 'BAD_GATEWAY', 'The request could not be forwarded');
    }
  }

  function onResponse(exchange: Exchange, upstreamRes: IncomingMessage): void {
    if (exchange.closed || exchange.bodyTooLarge) {
      upstreamRes.resume();
      return;
    }
    try {
      if (exchange.stage === 'service') {
        const status = upstreamRes.statusCode ?? 502;
        if (status >= 500) {
          // Nothing has been sent: drain and drop it, and let legacy answer instead.
          exchange.failure = 'status_5xx';
          upstreamRes.resume();
          exchange.settle?.(new Error(`${exchange.backend} answered ${status}`));
          return;
        }
        // The head was fast enough; from here on the body only has to keep flowing like any upstream's.
        exchange.upstreamReq?.setTimeout(options.upstreamTimeoutMs);
        if (exchange.slice) serviceAnswered(exchange, exchange.slice);
        exchange.settle?.();
        writer.relay(exchange, upstreamRes);
        return;
      }
      // Legacy's response is not self-handled: http-proxy pipes its body once the edge has written the head.
      writer.writeHead(exchange, upstreamRes);
    } catch (error) {
      // Never let one response take the process down.
      logger.error({ err: error, reqId: exchange.requestId }, 'failed to relay an upstream response');
      upstreamRes.resume();
      exchange.res.destroy();
    }
  }

  function onError(exchange: Exchange, error: NodeJS.ErrnoException): void {
    if (exchange.stage === 'service') {
      if (exchange.settle) {
        exchange.failure = exchange.timedOut ? 'timeout' : 'connection_error';
        exchange.settle(error);
      } else if (!exchange.res.writableFinished) {
        // Failed mid-body: bytes are out, nothing to fall back to.
        exchange.res.destroy();
      }
      return;
    }
    onLegacyError(exchange, error);
  }

  function onLegacyError(exchange: Exchange, error: NodeJS.ErrnoException): void {
    if (exchange.closed || exchange.bodyTooLarge) return;
    if (exchange.res.headersSent) {
      exchange.res.destroy();
      return;
    }
    const { upstream, req } = exchange;
    // A pooled connection the upstream closed as we reused it: the request never arrived, so a read is safe to resend.
    const reused = exchange.upstreamReq?.reusedSocket ?? false;
    if (
      upstream &&
      !exchange.retried &&
      reused &&
      !exchange.timedOut &&
      error.code === 'ECONNRESET' &&
      READ_METHODS.has(req.method ?? '') &&
      !exchange.hasBody
    ) {
      exchange.retried = true;
      toLegacy(exchange, upstream, true);
      return;
    }
    logger.error({ reqId: exchange.requestId, err: { message: error.message, code: error.code }, upstream: upstream?.url }, 'legacy upstream failed');
    if (exchange.timedOut) writer.reply(exchange, 504, 'UPSTREAM_TIMEOUT', 'The backend did not answer in time');
    else writer.reply(exchange, 502, 'BAD_GATEWAY', 'The backend is unavailable');
  }

  /** A chunked body grew past the limit mid-stream: stop forwarding it and answer 413 (or break off, if too late). */
  function abortOversizedBody(exchange: Exchange, maxBodyBytes: number): void {
    exchange.req.unpipe();
    exchange.upstreamReq?.destroy();
    const wasStage = exchange.stage;
    exchange.stage = 'edge';
    exchange.backend = 'edge';
    if (exchange.res.headersSent) exchange.res.destroy();
    else writer.reply(exchange, 413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes`, { connection: 'close' });
    logger.warn({ reqId: exchange.requestId, limit: maxBodyBytes, stage: wasStage }, 'request body over the limit: aborted');
    // Discard the rest until the socket closes; the answer is already on its way.
    exchange.req.resume();
  }

  return { toLegacy, toService, fallBack, abortOversizedBody };
}

export type UpstreamAttempts = ReturnType<typeof createUpstreamAttempts>;
