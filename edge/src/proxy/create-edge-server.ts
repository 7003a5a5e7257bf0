import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { createTokenVerifier, type Logger, type TokenVerifier } from '@strangler/platform';
import type { EdgeConfig } from '../config.js';
import type { FlagEvaluator, FlagStatus } from '../flags/flag-evaluator.js';
import { createEdgeMetrics, type EdgeMetrics } from '../metrics.js';
import { createBackends } from '../pipeline/backends.js';
import { openExchange, type Exchange } from '../pipeline/exchange.js';
import { bodyFollows, bodyLength, createRequestGuards } from '../pipeline/request-guards.js';
import { createRequestCompletion } from '../pipeline/request-completion.js';
import { createResponseWriter } from '../pipeline/response-writer.js';
import { decideRoute, type RouteLookups } from '../pipeline/route-decision.js';
import { createUpstreamAttempts } from '../pipeline/upstream-attempt.js';
import { compileRoutes } from '../routes/matcher.js';
import type { RouteTable } from '../routes/route-table.js';
import { sanitizeRequestHeaders } from '../security/headers.js';
import { createRateLimiter } from '../security/rate-limiter.js';
import { stickyIdentity } from '../sticky/sticky-key.js';
import { bearerToken, createCachedTokenVerifier } from '../sticky/token-cache.js';
import { createAdminServer, flagReadiness } from './admin-server.js';
import { rawJsonError } from './respond.js';
import { createUpstreamPool } from './upstreams.js';

export type { FallbackReason } from '../pipeline/exchange.js';

export interface EdgeDeps {
  config: EdgeConfig;
  /** Validated, with target overrides applied. */
  table: RouteTable;
  /** In-memory flag decisions; `status` (when present) drives /ready and the readiness metric. */
  flags: FlagEvaluator & { status?: () => FlagStatus };
  logger: Logger;
  /** Defaults to platform's HS256 verifier with config.jwtSecret / jwtIssuer. */
  tokens?: TokenVerifier;
  /** Off in tests that build many edges in one process. */
  collectDefaultMetrics?: boolean;
}

export interface Edge {
  /** The proxy. Not listening: the caller listens (server.ts, tests on port 0). */
  server: http.Server;
  /** Whether close() has begun: /ready answers 503 from then on. */
  draining(): boolean;
  flagStatus(): FlagStatus;
  /** /health, /ready, /metrics. */
  adminServer: http.Server;
  metrics: EdgeMetrics;
  /** Stops accepting, lets in-flight requests finish (bounded), closes upstream pools and timers. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** Shared, not a closure per request: the hot path allocates as little as it can. */
function ignoreError(): void {}

/**
 * The edge: a plain node:http server, no framework on the hot path, wiring the pipeline in src/pipeline/. Per
 * request: the guards refuse what is malformed or over a limit; the route table is matched; the sticky key is derived
 * (verified JWT `sub`, else the `sid` cookie) and the headers sanitised; decideRoute picks legacy or the slice's
 * service; the attempt carries that out (a service failure falls back to legacy) and the writer answers.
 */
export function createEdge(deps: EdgeDeps): Edge {
  const { config, table, flags, logger } = deps;
  const flagStatus = (): FlagStatus => flags.status?.() ?? { ready: true, source: 'static' };
  const metrics = createEdgeMetrics({ flagStatus, collectDefaults: deps.collectDefaultMetrics });
  const matcher = compileRoutes(table);
  const tokens = createCachedTokenVerifier({
    verifier: deps.tokens ?? createTokenVerifier({ secret: config.jwtSecret, issuer: config.jwtIssuer }),
    maxEntries: config.tokenCacheSize,
    ttlMs: config.tokenCacheTtlMs,
  });
  const limiter = createRateLimiter({ ratePerSecond: config.rateLimitRps, burst: config.rateLimitBurst });
  const sweepTimer = setInterval(() => limiter.sweep(), 60_000);
  sweepTimer.unref();
  const trustForwarded = config.trustedProxyHops > 0;
  let draining = false;

  const pool = createUpstreamPool({ maxSockets: config.upstreamMaxSockets, idleSocketMs: config.upstreamIdleSocketMs });
  const backends = createBackends({
    table,
    pool,
    breakerFailures: config.breakerFailures,
    breakerHalfOpenMs: config.breakerHalfOpenMs,
    metrics,
    logger,
  });
  const guards = createRequestGuards({
    maxBodyBytes: config.maxBodyBytes,
    maxHeaderBytes: config.maxHeaderBytes,
    trustedProxyHops: config.trustedProxyHops,
    limiter,
  });
  const writer = createResponseWriter({
    backendHeader: config.backendHeader,
    cookie: { name: config.stickyCookie, maxAgeSeconds: config.stickyCookieMaxAgeS, secure: config.stickyCookieSecure },
    draining: () => draining,
    rejections: metrics.rejections,
  });
  // A hedge must leave legacy time to answer before the service would have timed out anyway.
  const hedgeMaxMs = Math.max(1, Math.min(config.hedgeMaxMs, Math.floor(config.serviceTimeoutMs / 2)));
  const attempts = createUpstreamAttempts({
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    serviceTimeoutMs: config.serviceTimeoutMs,
    hedge: {
      enabled: config.hedgeEnabled,
      quantile: config.hedgeQuantile,
      factor: config.hedgeFactor,
      minMs: Math.min(config.hedgeMinMs, hedgeMaxMs),
      maxMs: hedgeMaxMs,
      window: config.hedgeWindow,
    },
    backends,
    writer,
    metrics,
    logger,
  });
  const { onResponseClose } = createRequestCompletion({ metrics, logger, accessLog: config.accessLog });
  const lookups: RouteLookups = {
    flagOn: (slice, key) => flags.isEnabled(slice.flag, { userId: key, sessionId: key }),
    circuitOpen: (slice) => backends.circuitOpen(slice),
  };
  const onOversizedBody = (exchange: Exchange) => attempts.abortOversizedBody(exchange, config.maxBodyBytes);

  /** Runs after token verification, possibly in a promise callback: any throw here must become an answer, not a crash. */
  function dispatch(exchange: Exchange, userId: string | undefined): void {
    if (exchange.closed) return;
    try {
      route(exchange, userId);
    } catch (error) {
      logger.error({ err: error, reqId: exchange.requestId }, 'edge failed to route a request');
      exchange.backend = 'edge';
      writer.reply(exchange, 502, 'BAD_GATEWAY', 'The request could not be forwarded');
    }
  }

  function route(exchange: Exchange, userId: string | undefined): void {
    const { req, slice } = exchange;
    const identity = stickyIdentity(userId, req.headers.cookie, config.stickyCookie);
    exchange.issuedSid = identity.issuedSid;
    sanitizeRequestHeaders(
      req.headers,
      { requestId: exchange.requestId, userId: identity.userId },
      { trustForwarded, remoteAddress: req.socket.remoteAddress, encrypted: Boolean((req.socket as TLSSocket).encrypted) },
    );
    if (exchange.hasBody) guards.limitBody(exchange, onOversizedBody);

    const decision = decideRoute({ method: req.method ?? '', slice, hasBody: exchange.hasBody, stickyKey: identity.key }, lookups);
    if (decision.backend === 'service' && slice) attempts.toService(exchange, slice);
    else if (decision.reason === 'breaker_open' && slice) attempts.fallBack(exchange, slice, 'breaker_open');
    else attempts.toLegacy(exchange, backends.legacyFor(slice));
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const exchange = openExchange(req, res);
    res.on('close', onResponseClose);
    // A client that hangs up mid-request must not become an unhandled 'error'.
    req.on('error', ignoreError);
    res.on('error', ignoreError);

    try {
      const length = bodyLength(req.headers);
      exchange.hasBody = bodyFollows(req.headers, length);
      const verdict = guards.check(req, length);
      if (!verdict.ok) {
        writer.reply(exchange, verdict.status, verdict.code, verdict.message, verdict.headers);
        return;
      }
      exchange.slice = matcher.match(req.method ?? '', verdict.path);
      const token = bearerToken(req.headers.authorization);
      const userId = token === undefined ? undefined : tokens.userIdFor(token);
      if (userId instanceof Promise) {
        userId.then(
          (id) => dispatch(exchange, id),
          (error: unknown) => {
            logger.error({ err: error }, 'token verification failed unexpectedly');
            dispatch(exchange, undefined);
          },
        );
      } else {
        dispatch(exchange, userId);
      }
    } catch (error) {
      logger.error({ err: error, reqId: exchange.requestId }, 'edge failed to handle a request');
      writer.reply(exchange, 500, 'INTERNAL_ERROR', 'Internal error');
    }
  }

  const server = http.createServer(
    {
      maxHeaderSize: config.maxHeaderBytes,
      requestTimeout: config.requestTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      // Timeouts are enforced on this tick; keep it well under the shortest timeout.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
      keepAliveTimeout: config.keepAliveTimeoutMs,
      // Checked by the guards, so the answer is JSON like every other refusal (Node's own 400 has no body).
      requireHostHeader: false,
    },
    onRequest,
  );

  // Node answers `Expect: 100-continue` itself unless told otherwise; a body that is too big is refused before it is sent.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (guards.continueAllowed(req)) res.writeContinue();
    onRequest(req, res);
  });

  // What Node's parser rejects never becomes a request: malformed heads, bad or duplicate Content-Length,
  // Content-Length with Transfer-Encoding, heads over maxHeaderSize, heads that arrive too slowly.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const code = error.code ?? '';
    const refusal = guards.parserRefusal(code);
    metrics.rejections.inc({ code: refusal.code });
    logger.info({ code, reason: error.message, remote: (socket as Duplex & { remoteAddress?: string }).remoteAddress }, 'refused a malformed request');
    socket.end(rawJsonError(refusal.status, refusal.code, refusal.message));
    setTimeout(() => socket.destroy(), 1000).unref();
  });

  // The edge is a reverse proxy only: no tunnels.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    metrics.rejections.inc({ code: 'METHOD_NOT_ALLOWED' });
    socket.end(rawJsonError(405, 'METHOD_NOT_ALLOWED', 'CONNECT is not supported'));
  });

  const adminServer = createAdminServer({
    readiness: () => flagReadiness(flagStatus(), draining),
    metrics: async () => ({ contentType: metrics.registry.contentType, text: await metrics.registry.metrics() }),
    logger,
  });

  let closing: Promise<void> | undefined;
  return {
    server,
    adminServer,
    metrics,
    draining: () => draining,
    flagStatus,
    close(options = {}) {
      closing ??= (async () => {
        draining = true;
        const timeoutMs = options.timeoutMs ?? config.shutdownTimeoutMs;
        await Promise.all([drain(server, timeoutMs), drain(adminServer, timeoutMs)]);
        clearInterval(sweepTimer);
        pool.destroy();
      })();
      return closing;
    },
  };
}

/** Stops accepting, closes idle keep-alive connections, and force-closes what is still open after the timeout. */
async function drain(server: http.Server, timeoutMs: number): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const force = setTimeout(() => server.closeAllConnections(), timeoutMs);
  force.unref();
  await closed;
  clearTimeout(force);
}
