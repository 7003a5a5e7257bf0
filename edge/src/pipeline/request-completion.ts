import type { ServerResponse } from 'node:http';
import type { Logger } from '@strangler/platform';
import type { EdgeMetrics } from '../metrics.js';
import { exchangeOf, type Exchange } from './exchange.js';

export interface CompletionOptions {
  metrics: EdgeMetrics;
  logger: Logger;
  accessLog: boolean;
}

/**
 * The end of every exchange, when the client's response closes (sent, or the client went away): release what is
 * still in flight, count the request and its latency, and write the access-log line.
 */
export function createRequestCompletion(options: CompletionOptions) {
  const { metrics, logger } = options;

  function complete(exchange: Exchange): void {
    if (exchange.closed) return;
    exchange.closed = true;
    // The client went away during a service attempt: not the service's fault, and nobody is left to answer.
    exchange.settle?.();
    const completed = exchange.res.writableFinished;
    if (!completed) exchange.upstreamReq?.destroy();
    const hedge = exchange.hedge;
    if (hedge) {
      clearTimeout(hedge.timer);
      // A hedge still racing has nobody left to answer (the winner's request is upstreamReq, handled above).
      if (hedge.phase === 'sent' || hedge.phase === 'armed') {
        hedge.phase = 'cancelled';
        hedge.req?.destroy();
      }
    }
    const status = completed ? String(exchange.res.statusCode) : '499';
    const sliceLabel = exchange.slice?.name ?? 'none';
    const seconds = Number(process.hrtime.bigint() - exchange.started) / 1e9;
    metrics.requests.inc({ slice: sliceLabel, backend: exchange.backend, status });
    metrics.latency.observe({ slice: sliceLabel, backend: exchange.backend }, seconds);
    if (options.accessLog) {
      logger.info(
        {
          reqId: exchange.requestId,
          method: exchange.req.method,
          url: exchange.req.url,
          status: Number(status),
          slice: sliceLabel,
          backend: exchange.backend,
          ...(exchange.fallback ? { fallback: exchange.fallback } : {}),
          durationMs: Math.round(seconds * 1e4) / 10,
        },
        'request completed',
      );
    }
  }

  return {
    /** The client response's 'close' listener: one shared function, the exchange is found on the response. */
    onResponseClose(this: ServerResponse): void {
      const exchange = exchangeOf(this);
      if (exchange) complete(exchange);
    },
  };
}
