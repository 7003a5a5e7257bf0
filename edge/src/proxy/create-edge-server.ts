import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import httpProxy from 'http-proxy';
import { createTokenVerifier, type Logger, type TokenVerifier } from '@strangler/platform';
import type { EdgeConfig } from '../config.js';
import type { FlagEvaluator, FlagStatus } from '../flags/flag-evaluator.js';
import { createEdgeMetrics, BREAKER_STATE_VALUE, type EdgeMetrics } from '../metrics.js';
import { compileRoutes } from '../routes/matcher.js';
import { READ_METHODS, type RouteTable, type Slice } from '../routes/route-table.js';
import { clientAddress } from '../security/client-ip.js';
import { REQUEST_ID, connectionNamedHeaders, isDroppedResponseHeader, sanitizeRequestHeaders } from '../security/headers.js';
import { createRateLimiter } from '../security/rate-limiter.js';
import { checkRequestTarget, declaredLength } from '../security/request-target.js';
import { stickyCookie, stickyIdentity } from '../sticky/sticky-key.js';
import { bearerToken, createCachedTokenVerifier } from '../sticky/token-cache.js';
import { createBackendBreaker, CircuitOpenError, type BackendBreaker } from './breaker.js';
import { createAdminServer, flagReadiness } from './admin-server.js';
import { rawJsonError, sendJsonError } from './respond.js';
import { createUpstreamPool, type Upstream } from './upstreams.js';

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

export type FallbackReason = 'status_5xx' | 'connection_error' | 'timeout' | 'breaker_open';

/** What the edge knows about one request while it is in flight. */
interface RequestState {
  req: IncomingMessage;
  res: ServerResponse;
  started: bigint;
  requestId: string;
  slice: Slice | undefined;
  /** The backend that is answering (legacy or the slice name), or `edge` for the edge's own answers. */
  backend: string;
  hasBody: boolean;
  issuedSid: string | undefined;
  /** Which upstream the current attempt goes to. */
  stage: 'edge' | 'service' | 'legacy';
  /** Incremented per upstream attempt, so callbacks of an abandoned attempt are ignored. */
  attempt: number;
  /** Reports the service attempt's outcome to its breaker; set while a service attempt is undecided. */
  settle: ((error?: Error) => void) | undefined;
  proxyReq: http.ClientRequest | undefined;
  timedOut: boolean;
  failure: FallbackReason | undefined;
  fallback: FallbackReason | undefined;
  bodyTooLarge: boolean;
  retried: boolean;
  closed: boolean;
}

const STATE = Symbol('edge.request');
type EdgeRequest = IncomingMessage & { [STATE]?: RequestState };
type EdgeResponse = ServerResponse & { [STATE]?: RequestState };
/** The upstream request carries its state too: an upstream response reaches it as `proxyRes.req`. */
type EdgeUpstreamRequest = http.ClientRequest & { [STATE]?: RequestState };

const UPSTREAM_TIMEOUT = 'EDGE_UPSTREAM_TIMEOUT';

/** Shared, not a closure per request: the hot path allocates as little as it can. */
function ignoreError(): void {}

/** Always empty: what a retried bodiless read sends (its own body stream has already been consumed). */
function emptyBody(): Readable {
  return Readable.from([]);
}

/**
 * The edge: a plain node:http server and http-proxy, no framework on the hot path. Per request: refuse what is
 * malformed or over a limit, match the route table, derive the sticky key (verified JWT `sub`, else the `sid`
 * cookie), evaluate the slice's flag in memory, and proxy — reads of an enabled slice to its new service (falling
 * back to legacy on failure, behind a circuit breaker), everything else to legacy.
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
  const cookieOptions = { name: config.stickyCookie, maxAgeSeconds: config.stickyCookieMaxAgeS, secure: config.stickyCookieSecure };
  const trustForwarded = config.trustedProxyHops > 0;

  const pool = createUpstreamPool({ maxSockets: config.upstreamMaxSockets, idleSocketMs: config.upstreamIdleSocketMs });
  const defaultLegacy = pool.get(table.legacy);
  const sliceUpstreams = new Map<string, { legacy: Upstream; service: Upstream; breaker: BackendBreaker }>();
  for (const slice of table.slices) {
    metrics.breakerState.set({ backend: slice.name }, BREAKER_STATE_VALUE.closed);
    sliceUpstreams.set(slice.name, {
      legacy: pool.get(slice.legacy),
      service: pool.get(slice.service),
      breaker: createBackendBreaker({
        backend: slice.name,
        failures: config.breakerFailures,
        halfOpenAfterMs: config.breakerHalfOpenMs,
        onStateChange(backend, state) {
          metrics.breakerState.set({ backend }, BREAKER_STATE_VALUE[state]);
          metrics.breakerTransitions.inc({ backend, state });
          const message = `circuit ${state}: ${state === 'closed' ? 'reads follow the flag again' : state === 'open' ? 'reads go to legacy' : 'one trial read'}`;
          logger[state === 'open' ? 'warn' : 'info']({ backend, breaker: state }, message);
        },
      }),
    });
  }

  let draining = false;
  // selfHandleResponse everywhere: the edge writes every response head itself (hop-by-hop headers dropped, its own
  // headers added) and can discard a new service's 5xx before a byte reaches the client.
  const proxy = httpProxy.createProxyServer({ xfwd: false, changeOrigin: true, selfHandleResponse: true, ws: false });

  proxy.on('proxyReq', (proxyReq, req) => {
    const state = (req as EdgeRequest)[STATE];
    if (!state) return;
    state.proxyReq = proxyReq;
    (proxyReq as EdgeUpstreamRequest)[STATE] = state;
    const timeoutMs = state.stage === 'service' ? config.serviceTimeoutMs : config.upstreamTimeoutMs;
    proxyReq.setTimeout(timeoutMs, () => {
      state.timedOut = true;
      proxyReq.destroy(Object.assign(new Error(`upstream did not answer within ${timeoutMs} ms`), { code: UPSTREAM_TIMEOUT }));
    });
  });

  proxy.on('proxyRes', (proxyRes, req) => {
    const state = (req as EdgeRequest)[STATE];
    if (!state || state.closed || state.bodyTooLarge) {
      proxyRes.resume();
      return;
    }
    try {
      onUpstreamResponse(state, proxyRes);
    } catch (error) {
      // Never let one response take the process down.
      logger.error({ err: error, reqId: state.requestId }, 'failed to relay an upstream response');
      proxyRes.resume();
      state.res.destroy();
    }
  });

  function onUpstreamResponse(state: RequestState, proxyRes: IncomingMessage): void {
    if (state.stage === 'service') {
      const status = proxyRes.statusCode ?? 502;
      if (status >= 500) {
        // Nothing has been sent: drain and drop it, and let legacy answer instead.
        state.failure = 'status_5xx';
        proxyRes.resume();
        state.settle?.(new Error(`${state.backend} answered ${status}`));
        return;
      }
      // The head was fast enough; from here on the body only has to keep flowing like any upstream's.
      state.proxyReq?.setTimeout(config.upstreamTimeoutMs);
      state.settle?.();
    }
    writeUpstreamResponse(state, proxyRes);
  }

  // Errors reach the per-call callbacks; this catches anything http-proxy emits without one.
  proxy.on('error', (error, req) => {
    logger.error({ err: error, url: req.url }, 'proxy error without a handler');
  });

  /** The headers the edge adds to every answer, proxied or its own, appended to a flat [name, value, …] list. */
  function pushEdgeHeaders(state: RequestState, headers: string[]): string[] {
    headers.push('x-request-id', state.requestId);
    if (config.backendHeader) headers.push('x-strangler-backend', state.backend);
    if (state.issuedSid) headers.push('set-cookie', stickyCookie(state.issuedSid, cookieOptions));
    if (draining) headers.push('connection', 'close');
    return headers;
  }

  function writeUpstreamResponse(state: RequestState, proxyRes: IncomingMessage): void {
    const { res } = state;
    if (res.headersSent || res.destroyed) {
      proxyRes.resume();
      return;
    }
    // One flat [name, value, …] list straight from the raw headers into writeHead: no header object is built on
    // either side, and repeated headers (set-cookie) pass as they came.
    const raw = proxyRes.rawHeaders;
    const named = connectionNamedHeaders(rawConnectionHeader(raw));
    const headers: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      if (!isDroppedResponseHeader(name, named)) headers.push(name, raw[i + 1] as string);
    }
    res.writeHead(proxyRes.statusCode ?? 502, proxyRes.statusMessage, pushEdgeHeaders(state, headers));
    proxyRes.on('aborted', destroyUnfinished);
    proxyRes.on('error', destroyUnfinished);
    proxyRes.pipe(res);
  }

  /** An upstream response that breaks off mid-body: the client's response must break off too, not look complete. */
  function destroyUnfinished(this: IncomingMessage): void {
    const state = (this as IncomingMessage & { req?: EdgeUpstreamRequest }).req?.[STATE];
    if (state && !state.res.writableFinished) state.res.destroy();
  }

  /** The edge's own answer (a refusal, or 502/504 when legacy itself failed). */
  function reply(state: RequestState, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    const { res } = state;
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    if (state.stage === 'edge') metrics.rejections.inc({ code });
    // An unread body would be parsed as the next request; close instead of draining it.
    if (state.hasBody && !state.req.complete) headers = { ...headers, connection: 'close' };
    const own = pushEdgeHeaders(state, []);
    for (let i = 0; i < own.length; i += 2) res.setHeader(own[i] as string, own[i + 1] as string);
    sendJsonError(res, status, code, message, headers);
  }

  function onResponseClose(this: ServerResponse): void {
    const state = (this as EdgeResponse)[STATE];
    if (state) finish(state);
  }

  function finish(state: RequestState): void {
    if (state.closed) return;
    state.closed = true;
    // The client went away during a service attempt: not the service's fault, and nobody is left to answer.
    state.settle?.();
    const completed = state.res.writableFinished;
    if (!completed) state.proxyReq?.destroy();
    const status = completed ? String(state.res.statusCode) : '499';
    const sliceLabel = state.slice?.name ?? 'none';
    const seconds = Number(process.hrtime.bigint() - state.started) / 1e9;
    metrics.requests.inc({ slice: sliceLabel, backend: state.backend, status });
    metrics.latency.observe({ slice: sliceLabel, backend: state.backend }, seconds);
    if (config.accessLog) {
      logger.info(
        {
          reqId: state.requestId,
          method: state.req.method,
          url: state.req.url,
          status: Number(status),
          slice: sliceLabel,
          backend: state.backend,
          ...(state.fallback ? { fallback: state.fallback } : {}),
          durationMs: Math.round(seconds * 1e4) / 10,
        },
        'request completed',
      );
    }
  }

  function proxyToLegacy(state: RequestState, upstream: Upstream, body?: Readable): void {
    state.stage = 'legacy';
    state.backend = 'legacy';
    state.proxyReq = undefined;
    state.timedOut = false;
    const attempt = ++state.attempt;
    proxy.web(state.req, state.res, { target: upstream.target, agent: upstream.agent, buffer: body }, (error) =>
      onLegacyError(state, upstream, attempt, error),
    );
  }

  function onLegacyError(state: RequestState, upstream: Upstream, attempt: number, error: NodeJS.ErrnoException): void {
    if (attempt !== state.attempt || state.closed || state.bodyTooLarge) return;
    if (state.res.headersSent) {
      state.res.destroy();
      return;
    }
    // A pooled connection the upstream closed as we reused it: the request never arrived, so a read is safe to resend.
    const reused = state.proxyReq?.reusedSocket ?? false;
    if (!state.retried && reused && !state.timedOut && error.code === 'ECONNRESET' && READ_METHODS.has(state.req.method ?? '') && !state.hasBody) {
      state.retried = true;
      proxyToLegacy(state, upstream, emptyBody());
      return;
    }
    logger.error({ reqId: state.requestId, err: { message: error.message, code: error.code }, upstream: upstream.url }, 'legacy upstream failed');
    if (state.timedOut) reply(state, 504, 'UPSTREAM_TIMEOUT', 'The backend did not answer in time');
    else reply(state, 502, 'BAD_GATEWAY', 'The backend is unavailable');
  }

  function tryService(state: RequestState, slice: Slice): void {
    const upstreams = sliceUpstreams.get(slice.name);
    if (!upstreams) {
      proxyToLegacy(state, defaultLegacy);
      return;
    }
    upstreams.breaker
      .run(
        () =>
          new Promise<void>((resolve, reject) => {
            state.stage = 'service';
            state.backend = slice.name;
            state.failure = undefined;
            state.timedOut = false;
            const attempt = ++state.attempt;
            state.settle = (error) => {
              state.settle = undefined;
              if (error) reject(error);
              else resolve();
            };
            proxy.web(state.req, state.res, { target: upstreams.service.target, agent: upstreams.service.agent }, (error) => {
              if (attempt !== state.attempt) return;
              if (state.settle) {
                state.failure = state.timedOut ? 'timeout' : 'connection_error';
                state.settle(error);
              } else if (!state.res.writableFinished) {
                // Failed mid-body: bytes are out, nothing to fall back to.
                state.res.destroy();
              }
            });
          }),
      )
      .then(undefined, (error: unknown) => {
        const reason: FallbackReason = error instanceof CircuitOpenError ? 'breaker_open' : (state.failure ?? 'connection_error');
        fallBack(state, slice, upstreams.legacy, reason, error);
      });
  }

  function fallBack(state: RequestState, slice: Slice, legacy: Upstream, reason: FallbackReason, error: unknown): void {
    if (state.closed) return;
    state.fallback = reason;
    metrics.fallbacks.inc({ slice: slice.name, reason });
    // An open circuit is logged once, at its transition; each failure that causes a fallback is logged here.
    if (reason !== 'breaker_open') {
      logger.warn(
        { reqId: state.requestId, slice: slice.name, reason, err: { message: (error as Error | undefined)?.message } },
        'new service failed a read: serving it from legacy',
      );
    }
    proxyToLegacy(state, legacy, emptyBody());
  }

  /** Counts streamed body bytes: Content-Length is checked up front, chunked bodies are cut off at the limit. */
  function limitBody(state: RequestState): void {
    let seen = 0;
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen <= config.maxBodyBytes || state.bodyTooLarge) return;
      state.bodyTooLarge = true;
      state.req.off('data', onData);
      state.req.unpipe();
      state.proxyReq?.destroy();
      const wasStage = state.stage;
      state.stage = 'edge';
      state.backend = 'edge';
      if (state.res.headersSent) state.res.destroy();
      else reply(state, 413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${config.maxBodyBytes} bytes`, { connection: 'close' });
      logger.warn({ reqId: state.requestId, limit: config.maxBodyBytes, stage: wasStage }, 'request body over the limit: aborted');
      // Discard the rest until the socket closes; the answer is already on its way.
      state.req.resume();
    };
    state.req.on('data', onData);
  }

  /** Runs after token verification, possibly in a promise callback: any throw here must become an answer, not a crash. */
  function dispatch(state: RequestState, userId: string | undefined): void {
    if (state.closed) return;
    try {
      route(state, userId);
    } catch (error) {
      logger.error({ err: error, reqId: state.requestId }, 'edge failed to route a request');
      state.backend = 'edge';
      reply(state, 502, 'BAD_GATEWAY', 'The request could not be forwarded');
    }
  }

  function route(state: RequestState, userId: string | undefined): void {
    const { req } = state;
    const identity = stickyIdentity(userId, req.headers.cookie, config.stickyCookie);
    state.issuedSid = identity.issuedSid;
    sanitizeRequestHeaders(
      req.headers,
      { requestId: state.requestId, userId: identity.userId },
      { trustForwarded, remoteAddress: req.socket.remoteAddress, encrypted: Boolean((req.socket as TLSSocket).encrypted) },
    );
    if (state.hasBody) limitBody(state);

    const slice = state.slice;
    if (!slice) {
      proxyToLegacy(state, defaultLegacy);
      return;
    }
    const upstreams = sliceUpstreams.get(slice.name);
    const legacy = upstreams?.legacy ?? defaultLegacy;
    // Writes always go to legacy; so do reads with a body, which could not be replayed to legacy after a failure.
    if (!READ_METHODS.has(req.method ?? '') || state.hasBody) {
      proxyToLegacy(state, legacy);
      return;
    }
    if (!flags.isEnabled(slice.flag, { userId: identity.key, sessionId: identity.key })) {
      proxyToLegacy(state, legacy);
      return;
    }
    tryService(state, slice);
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const inboundId = req.headers['x-request-id'];
    const state: RequestState = {
      req,
      res,
      started: process.hrtime.bigint(),
      requestId: typeof inboundId === 'string' && REQUEST_ID.test(inboundId) ? inboundId : randomUUID(),
      slice: undefined,
      backend: 'edge',
      hasBody: false,
      issuedSid: undefined,
      stage: 'edge',
      attempt: 0,
      settle: undefined,
      proxyReq: undefined,
      timedOut: false,
      failure: undefined,
      fallback: undefined,
      bodyTooLarge: false,
      retried: false,
      closed: false,
    };
    (req as EdgeRequest)[STATE] = state;
    (res as EdgeResponse)[STATE] = state;
    res.on('close', onResponseClose);
    // A client that hangs up mid-request must not become an unhandled 'error'.
    req.on('error', ignoreError);
    res.on('error', ignoreError);

    try {
      const length = declaredLength(req.headers['content-length']);
      state.hasBody = (typeof length === 'number' && length > 0) || req.headers['transfer-encoding'] !== undefined;

      if (req.method === 'CONNECT' || req.method === 'TRACE') {
        reply(state, 405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported`);
        return;
      }
      const wait = limiter.take(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.trustedProxyHops));
      if (wait > 0) {
        reply(state, 429, 'RATE_LIMITED', 'Too many requests', { 'retry-after': String(wait) });
        return;
      }
      const hostProblem = checkHost(req);
      if (hostProblem) {
        reply(state, 400, 'BAD_HOST', hostProblem);
        return;
      }
      const target = checkRequestTarget(req.url ?? '', req.headers.host);
      if (!target.ok) {
        reply(state, target.status, target.code, target.message);
        return;
      }
      if (target.url !== req.url) req.url = target.url;
      if (length === 'invalid') {
        reply(state, 400, 'BAD_CONTENT_LENGTH', 'Content-Length is not a valid length');
        return;
      }
      if (typeof length === 'number' && length > config.maxBodyBytes) {
        reply(state, 413, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${config.maxBodyBytes} bytes`);
        return;
      }

      state.slice = matcher.match(req.method ?? '', target.path);
      const token = bearerToken(req.headers.authorization);
      const userId = token === undefined ? undefined : tokens.userIdFor(token);
      if (userId instanceof Promise) {
        userId.then(
          (id) => dispatch(state, id),
          (error: unknown) => {
            logger.error({ err: error }, 'token verification failed unexpectedly');
            dispatch(state, undefined);
          },
        );
      } else {
        dispatch(state, userId);
      }
    } catch (error) {
      logger.error({ err: error, reqId: state.requestId }, 'edge failed to handle a request');
      reply(state, 500, 'INTERNAL_ERROR', 'Internal error');
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
      // Checked in checkHost, so the answer is JSON like every other refusal (Node's own 400 has no body).
      requireHostHeader: false,
    },
    onRequest,
  );

  // Node answers `Expect: 100-continue` itself unless told otherwise; a body that is too big is refused before it is sent.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const length = declaredLength(req.headers['content-length']);
    if (!(typeof length === 'number' && length > config.maxBodyBytes)) res.writeContinue();
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
    let answer: [number, string, string] = [400, 'BAD_REQUEST', 'Malformed HTTP request'];
    if (code === 'HPE_HEADER_OVERFLOW') answer = [431, 'HEADERS_TOO_LARGE', `Request head exceeds ${config.maxHeaderBytes} bytes`];
    else if (code === 'ERR_HTTP_REQUEST_TIMEOUT') answer = [408, 'REQUEST_TIMEOUT', 'Request was not received in time'];
    else if (code.includes('CONTENT_LENGTH')) answer = [400, 'BAD_CONTENT_LENGTH', 'Content-Length is invalid or duplicated'];
    else if (code.includes('TRANSFER_ENCODING') || code.includes('CHUNK')) answer = [400, 'BAD_TRANSFER_ENCODING', 'Transfer-Encoding is invalid'];
    metrics.rejections.inc({ code: answer[1] });
    logger.info({ code, reason: error.message, remote: (socket as Duplex & { remoteAddress?: string }).remoteAddress }, 'refused a malformed request');
    socket.end(rawJsonError(...answer));
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

/** The Connection header(s) of a raw header list, without building the parsed header object just for that. */
function rawConnectionHeader(raw: string[]): string[] | undefined {
  let values: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 10 && name.toLowerCase() === 'connection') (values ??= []).push(raw[i + 1] as string);
  }
  return values;
}

/** HTTP/1.1 requires exactly one Host (RFC 9112 §3.2); Node keeps the first of several, so count the raw ones. */
function checkHost(req: IncomingMessage): string | undefined {
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    if (name !== undefined && name.length === 4 && name.toLowerCase() === 'host') count++;
  }
  if (count > 1) return 'More than one Host header';
  if (count === 0 && req.httpVersion === '1.1') return 'Host header is required';
  return undefined;
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
