import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { parse as parseUrl } from 'node:url';
import type { Upstream } from '../proxy/upstreams.js';
import { attachExchange, exchangeOf, type Exchange } from './exchange.js';

export const UPSTREAM_TIMEOUT = 'EDGE_UPSTREAM_TIMEOUT';

export interface UpstreamEvents {
  /** The current attempt's response head has arrived. */
  response(exchange: Exchange, upstreamRes: IncomingMessage): void;
  /** The current attempt failed: connection error, or no answer in time (`exchange.timedOut`). */
  error(exchange: Exchange, error: NodeJS.ErrnoException): void;
}

/** Characters that make url.parse rewrite a path (it escapes some after them); none of them is in a usual path. */
const PARSED_DIFFERENTLY = /[@\s#\\]/;

/**
 * The path the upstream request carries, exactly as http-proxy built it before the edge sent requests itself:
 * `url.parse(url).path` joined to the target's own path, runs of slashes collapsed. For the usual request (no
 * target path, no `//` or `:/` in the path, nothing url.parse would escape) that is the URL itself, unparsed.
 */
export function upstreamPath(base: string, url: string): string {
  const query = url.indexOf('?');
  const pathEnd = query === -1 ? url.length : query;
  const slashes = url.indexOf('//');
  const scheme = url.indexOf(':/');
  if (base === '' && (slashes === -1 || slashes >= pathEnd) && (scheme === -1 || scheme >= pathEnd) && !PARSED_DIFFERENTLY.test(url)) return url;

  const parsed = parseUrl(url).path ?? '';
  const parsedQuery = parsed.indexOf('?');
  const path = parsedQuery === -1 ? parsed : parsed.slice(0, parsedQuery);
  const joined = (base && path ? `${base}/${path}` : base || path).replace(/\/+/g, '/').replace('http:/', 'http://').replace('https:/', 'https://');
  return parsedQuery === -1 ? joined : joined + parsed.slice(parsedQuery);
}

/**
 * Sends a client's request to an upstream with node:http over the upstream's keep-alive pool, and reports the
 * response head or the failure. The request headers are the client's, already sanitised, with the upstream's own
 * Host. Listeners are shared functions that find their exchange on the upstream request; events of an upstream
 * request that is no longer the exchange's current one (an abandoned attempt) are dropped.
 */
export function createUpstreamRequests(events: UpstreamEvents) {
  function onResponse(this: ClientRequest, upstreamRes: IncomingMessage): void {
    const exchange = exchangeOf(this);
    if (!exchange || exchange.upstreamReq !== this) {
      upstreamRes.resume();
      return;
    }
    events.response(exchange, upstreamRes);
  }

  function onError(this: ClientRequest, error: NodeJS.ErrnoException): void {
    const exchange = exchangeOf(this);
    if (exchange && exchange.upstreamReq === this) events.error(exchange, error);
  }

  function onTimeout(this: ClientRequest): void {
    const exchange = exchangeOf(this);
    if (exchange && exchange.upstreamReq === this) exchange.timedOut = true;
    const timeoutMs = this.socket?.timeout;
    this.destroy(Object.assign(new Error(`upstream did not answer within ${timeoutMs ?? '?'} ms`), { code: UPSTREAM_TIMEOUT }));
  }

  return {
    /**
     * One attempt: `withBody` streams the client's body (the first attempt of a request that has one); a re-sent
     * bodiless read sends none. `timeoutMs` is the longest silence before the attempt fails as timed out.
     */
    send(exchange: Exchange, upstream: Upstream, timeoutMs: number, withBody: boolean): void {
      const { req } = exchange;
      const { target } = upstream;
      const headers = req.headers;
      headers.host = target.host ?? undefined;
      // A bodiless DELETE/OPTIONS says so, as http-proxy made it (some servers wait for a body otherwise).
      if ((req.method === 'DELETE' || req.method === 'OPTIONS') && headers['content-length'] === undefined && headers['transfer-encoding'] === undefined) {
        headers['content-length'] = '0';
      }
      const request = (target.protocol === 'https:' ? https : http).request({
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: upstreamPath(target.path ?? '', req.url ?? '/'),
        headers,
        agent: upstream.agent,
      });
      attachExchange(request, exchange);
      exchange.upstream = upstream;
      exchange.upstreamReq = request;
      exchange.timedOut = false;
      request.on('response', onResponse);
      request.on('error', onError);
      request.setTimeout(timeoutMs, onTimeout);
      if (withBody) req.pipe(request);
      else request.end();
    },
  };
}

export type UpstreamRequests = ReturnType<typeof createUpstreamRequests>;
