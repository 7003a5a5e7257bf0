import type { ClientRequest, IncomingMessage } from 'node:http';
import type { EdgeMetrics } from '../metrics.js';
import { connectionNamedHeaders, isDroppedResponseHeader } from '../security/headers.js';
import { stickyCookie, type StickyCookieOptions } from '../sticky/sticky-key.js';
import { sendJsonError } from '../proxy/respond.js';
import { exchangeOf, type Exchange } from './exchange.js';

export interface ResponseWriterOptions {
  /** Add x-strangler-backend to every answer. */
  backendHeader: boolean;
  cookie: StickyCookieOptions;
  /** While draining, every answer asks the client to close its connection. */
  draining: () => boolean;
  rejections: EdgeMetrics['rejections'];
}

/**
 * Everything the client receives goes through here: an upstream's response (one writeHead straight from its raw
 * headers, hop-by-hop and Connection-named ones dropped, then its body piped), or the edge's own JSON answer. Both
 * carry the edge's headers (pushEdgeHeaders).
 */
export function createResponseWriter(options: ResponseWriterOptions) {
  const { cookie, draining } = options;

  /** The headers the edge adds to every answer, proxied or its own, appended to a flat [name, value, …] list. */
  function pushEdgeHeaders(exchange: Exchange, headers: string[]): string[] {
    headers.push('x-request-id', exchange.requestId);
    if (options.backendHeader) headers.push('x-strangler-backend', exchange.backend);
    if (exchange.issuedSid) headers.push('set-cookie', stickyCookie(exchange.issuedSid, cookie));
    if (draining()) headers.push('connection', 'close');
    return headers;
  }

  /**
   * Writes an upstream response's head to the client, if it still can: the body follows, piped by the caller
   * (relay) or by http-proxy (a legacy response).
   */
  function writeHead(exchange: Exchange, upstreamRes: IncomingMessage): boolean {
    const { res } = exchange;
    if (res.headersSent || res.destroyed) {
      upstreamRes.resume();
      return false;
    }
    // One flat [name, value, …] list straight from the raw headers into writeHead: no header object is built on
    // either side, and repeated headers (set-cookie) pass as they came.
    const raw = upstreamRes.rawHeaders;
    const named = connectionNamedHeaders(rawConnectionHeader(raw));
    const headers: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      if (!isDroppedResponseHeader(name, named)) headers.push(name, raw[i + 1] as string);
    }
    res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, pushEdgeHeaders(exchange, headers));
    upstreamRes.on('aborted', destroyUnfinished);
    upstreamRes.on('error', destroyUnfinished);
    return true;
  }

  return {
    writeHead,

    /** Streams a self-handled upstream response (a service's) to the client. */
    relay(exchange: Exchange, upstreamRes: IncomingMessage): void {
      if (writeHead(exchange, upstreamRes)) upstreamRes.pipe(exchange.res);
    },

    /** The edge's own answer: a refusal, or 502/504 when legacy itself failed. Refusals (stage `edge`) are counted. */
    reply(exchange: Exchange, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
      const { res } = exchange;
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      if (exchange.stage === 'edge') options.rejections.inc({ code });
      // An unread body would be parsed as the next request; close instead of draining it.
      if (exchange.hasBody && !exchange.req.complete) headers = { ...headers, connection: 'close' };
      const own = pushEdgeHeaders(exchange, []);
      for (let i = 0; i < own.length; i += 2) res.setHeader(own[i] as string, own[i + 1] as string);
      sendJsonError(res, status, code, message, headers);
    },
  };
}

export type ResponseWriter = ReturnType<typeof createResponseWriter>;

/** An upstream response that breaks off mid-body: the client's response must break off too, not look complete. */
function destroyUnfinished(this: IncomingMessage): void {
  const upstreamReq = (this as IncomingMessage & { req?: ClientRequest }).req;
  const exchange = upstreamReq && exchangeOf(upstreamReq);
  if (exchange && !exchange.res.writableFinished) exchange.res.destroy();
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
