import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import httpProxy from 'http-proxy';
import type { Upstream } from '../proxy/upstreams.js';
import { attachExchange, exchangeOf, type Exchange, type Hedge } from './exchange.js';

export const UPSTREAM_TIMEOUT = 'EDGE_UPSTREAM_TIMEOUT';

export interface UpstreamEvents {
  /**
   * The current attempt's response head has arrived. A service attempt's response is the edge's to write (it may be
   * dropped for a fallback); a legacy one is piped by http-proxy once this returns, so only its head is to be written.
   */
  response(exchange: Exchange, upstreamRes: IncomingMessage): void;
  /** The current attempt failed: connection error, or no answer in time (`exchange.timedOut`). */
  error(exchange: Exchange, error: NodeJS.ErrnoException): void;
  /** A hedge's response head (always self-handled: it may lose to the service's). */
  hedgeResponse(exchange: Exchange, upstreamRes: IncomingMessage): void;
  /** A hedge failed: before its head, or (once it won) mid-body. */
  hedgeError(exchange: Exchange, error: NodeJS.ErrnoException): void;
}

/** What each proxy.web call carries to its proxyReq event (http-proxy copies call options into the event's). */
interface CallTag {
  edgeAttempt?: number;
  edgeHedge?: Hedge;
}

/** Always empty: what a re-sent bodiless read sends (the client's own request stream has already been consumed). */
function emptyBody(): Readable {
  return Readable.from([]);
}

/**
 * Sends a client's request to an upstream through one http-proxy instance, over the upstream's keep-alive pool, and
 * reports the response head or the failure. The request headers are the client's, already sanitised; http-proxy
 * gives them the upstream's own Host (changeOrigin) and builds the path. Events of an upstream request that is no
 * longer the exchange's current one (an abandoned attempt) are dropped.
 */
export function createUpstreamRequests(events: UpstreamEvents, timeouts: { legacyMs: number; serviceMs: number }) {
  // No x-forwarded-* of http-proxy's own: sanitizeRequestHeaders sets them. No ws: the edge proxies HTTP only.
  const proxy = httpProxy.createProxyServer({ xfwd: false, changeOrigin: true, ws: false });

  // Request smuggling: http-proxy's first incoming pass, deleteLength, turns a DELETE/OPTIONS without Content-Length
  // into `content-length: 0` and deletes Transfer-Encoding — also when the body is chunked, and then pipes that body
  // raw, so the upstream reads the chunks as the next request on the pooled connection. The pass is dropped here, and
  // only a DELETE/OPTIONS that really has no body is told `content-length: 0` (see send); a chunked one stays chunked.
  const passes = (proxy as unknown as { webPasses: Array<(...args: never[]) => unknown> }).webPasses;
  const deleteLength = passes.findIndex((pass) => pass.name === 'deleteLength');
  if (deleteLength === -1) throw new Error('http-proxy has no deleteLength pass to remove: check the request-smuggling fix');
  passes.splice(deleteLength, 1);

  function onTimeout(this: ClientRequest): void {
    const exchange = exchangeOf(this);
    if (exchange && exchange.upstreamReq === this) exchange.timedOut = true;
    if (exchange?.hedge && exchange.hedge.req === this) exchange.hedge.timedOut = true;
    const timeoutMs = this.socket?.timeout;
    this.destroy(Object.assign(new Error(`upstream did not answer within ${timeoutMs ?? '?'} ms`), { code: UPSTREAM_TIMEOUT }));
  }

  // Emitted when the upstream request has its socket (the edge drops `expect`, so it always is).
  proxy.on('proxyReq', (upstreamReq: ClientRequest, _req: IncomingMessage, res: ServerResponse, serverOptions: httpProxy.ServerOptions) => {
    const exchange = exchangeOf(res);
    if (!exchange) return;
    attachExchange(upstreamReq, exchange);
    const options = serverOptions as CallTag;
    const hedge = options.edgeHedge;
    if (hedge) {
      // Decided while it waited for a socket (the service answered, or the client left): never send it.
      if (exchange.hedge !== hedge || hedge.phase !== 'sent') {
        upstreamReq.destroy();
        return;
      }
      hedge.req = upstreamReq;
      upstreamReq.setTimeout(timeouts.legacyMs, onTimeout);
      return;
    }
    if (options.edgeAttempt !== exchange.attempt) {
      upstreamReq.destroy();
      return;
    }
    exchange.upstreamReq = upstreamReq;
    upstreamReq.setTimeout(exchange.stage === 'service' ? timeouts.serviceMs : timeouts.legacyMs, onTimeout);
  });

  // Before http-proxy's outgoing passes: a legacy head written here leaves them nothing to do but pipe the body.
  proxy.on('proxyRes', (upstreamRes: IncomingMessage, _req: IncomingMessage, res: ServerResponse) => {
    const exchange = exchangeOf(res);
    const upstreamReq = (upstreamRes as IncomingMessage & { req?: ClientRequest }).req;
    if (!exchange) upstreamRes.resume();
    else if (exchange.upstreamReq === upstreamReq) events.response(exchange, upstreamRes);
    else if (exchange.hedge?.req === upstreamReq && exchange.hedge?.phase === 'sent') events.hedgeResponse(exchange, upstreamRes);
    else upstreamRes.resume();
  });

  // Failures reach each call's callback; this only catches what http-proxy might emit without one.
  proxy.on('error', (error: Error, _req: IncomingMessage, res: ServerResponse | unknown) => {
    const exchange = res && typeof res === 'object' ? exchangeOf(res) : undefined;
    if (exchange) events.error(exchange, error);
  });

  return {
    /**
     * One attempt. A service attempt is self-handled (its head is inspected before anything reaches the client); a
     * legacy one is relayed by http-proxy. `resend` sends no body (the client's was read by an earlier attempt).
     * `exchange.stage` says which upstream this is and must be set first.
     */
    send(exchange: Exchange, upstream: Upstream, resend: boolean): void {
      const { req, res } = exchange;
      const headers = req.headers;
      // A bodiless DELETE/OPTIONS says so, as http-proxy made it (some servers wait for a body otherwise).
      if ((req.method === 'DELETE' || req.method === 'OPTIONS') && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
        headers['content-length'] = '0';
      }
      const attempt = ++exchange.attempt;
      exchange.upstream = upstream;
      exchange.upstreamReq = undefined;
      exchange.timedOut = false;
      const options = {
        target: upstream.target,
        agent: upstream.agent,
        selfHandleResponse: exchange.stage === 'service',
        buffer: resend ? emptyBody() : undefined,
        edgeAttempt: attempt,
      };
      proxy.web(req, res, options, (error: NodeJS.ErrnoException) => {
        if (attempt === exchange.attempt) events.error(exchange, error);
      });
    },

    /**
     * The hedge of a bodiless service read: the same request to legacy, alongside the service attempt (which stays
     * the exchange's current one), self-handled so that only the first valid answer reaches the client.
     */
    sendHedge(exchange: Exchange, upstream: Upstream, hedge: Hedge): void {
      const options = { target: upstream.target, agent: upstream.agent, selfHandleResponse: true, buffer: emptyBody(), edgeHedge: hedge };
      proxy.web(exchange.req, exchange.res, options, (error: NodeJS.ErrnoException) => {
        if (exchange.hedge === hedge && (hedge.phase === 'sent' || hedge.phase === 'won')) events.hedgeError(exchange, error);
      });
    },
  };
}

export type UpstreamRequests = ReturnType<typeof createUpstreamRequests>;
