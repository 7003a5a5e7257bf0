import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { clientAddress } from '../security/client-ip.js';
import type { RateLimiter } from '../security/rate-limiter.js';
import { checkHostHeader } from '../security/host-header.js';
import { BAD_REQUEST_LINE, checkHttpVersion, isRequestLineParseError } from '../security/request-line.js';
import { checkRequestTarget, declaredLength, type Rejection } from '../security/request-target.js';
import type { Exchange } from './exchange.js';

/** A request the edge answers itself, before any upstream: `{"error":{"code","message"}}` plus any headers. */
export interface Refusal extends Rejection {
  headers?: Record<string, string>;
}

/** Accepted (with the path to route by), or refused. */
export type GuardVerdict = { ok: true; path: string } | ({ ok: false } & Refusal);

export interface RequestGuardOptions {
  maxBodyBytes: number;
  maxHeaderBytes: number;
  trustedProxyHops: number;
  limiter: RateLimiter;
}

export type DeclaredLength = ReturnType<typeof declaredLength>;

export function bodyLength(headers: IncomingHttpHeaders): DeclaredLength {
  return declaredLength(headers['content-length']);
}

/** Whether a body follows the head; known before any check, so a refusal knows to close an unread body. */
export function bodyFollows(headers: IncomingHttpHeaders, length: DeclaredLength): boolean {
  return (typeof length === 'number' && length > 0) || headers['transfer-encoding'] !== undefined;
}

const refuse = (status: number, code: string, message: string, headers?: Record<string, string>): GuardVerdict => ({ ok: false, status, code, message, headers });

/**
 * The checks every request passes before it is routed, in this order: an HTTP version the edge speaks
 * (security/request-line.ts), no tunnels or TRACE, the client's rate, exactly one valid Host
 * (security/host-header.ts), a request target that cannot be read two ways (security/request-target.ts), a sane
 * body length. The first that fails is the answer. Header sanitising is not a refusal: it runs once the request is
 * routed.
 */
export function createRequestGuards(options: RequestGuardOptions) {
  const { maxBodyBytes, limiter, trustedProxyHops } = options;
  const tooLarge = `Request body exceeds ${maxBodyBytes} bytes`;

  return {
    /** Accepts or refuses the request; an accepted absolute-form target is rewritten to origin-form in `req.url`. */
    check(req: IncomingMessage, length: DeclaredLength): GuardVerdict {
      const version = checkHttpVersion(req.httpVersion);
      // Whatever followed a version-less line was framed by guesswork: never read another request from it.
      if (version) return { ok: false, ...version, headers: { connection: 'close' } };
      if (req.method === 'CONNECT' || req.method === 'TRACE') return refuse(405, 'METHOD_NOT_ALLOWED', `${req.method} is not supported`);
      const wait = limiter.take(clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxyHops));
      if (wait > 0) return refuse(429, 'RATE_LIMITED', 'Too many requests', { 'retry-after': String(wait) });
      const host = checkHostHeader(hostValues(req.rawHeaders), req.httpVersion);
      if (!host.ok) return refuse(400, 'BAD_HOST', host.message);
      const target = checkRequestTarget(req.url ?? '', req.headers.host);
      if (!target.ok) return target;
      if (target.url !== req.url) req.url = target.url;
      if (length === 'invalid') return refuse(400, 'BAD_CONTENT_LENGTH', 'Content-Length is not a valid length');
      if (typeof length === 'number' && length > maxBodyBytes) return refuse(413, 'PAYLOAD_TOO_LARGE', tooLarge);
      return target;
    },

    /** `Expect: 100-continue`: ask for the body only if it is not already known to be too large. */
    continueAllowed(req: IncomingMessage): boolean {
      const length = bodyLength(req.headers);
      return !(typeof length === 'number' && length > maxBodyBytes);
    },

    /**
     * Counts a streamed body: Content-Length is checked up front, a chunked body is cut off once it grows past the
     * limit. `onOverLimit` runs once, and nothing more is counted after it.
     */
    limitBody(exchange: Exchange, onOverLimit: (exchange: Exchange) => void): void {
      let seen = 0;
      const onData = (chunk: Buffer) => {
        seen += chunk.length;
        if (seen <= maxBodyBytes || exchange.bodyTooLarge) return;
        exchange.bodyTooLarge = true;
        exchange.req.off('data', onData);
        onOverLimit(exchange);
      };
      exchange.req.on('data', onData);
    },

    /** The answer to a request Node's parser refused (no request object exists), by its error code. */
    parserRefusal(code: string): Rejection {
      if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, code: 'HEADERS_TOO_LARGE', message: `Request head exceeds ${options.maxHeaderBytes} bytes` };
      if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, code: 'REQUEST_TIMEOUT', message: 'Request was not received in time' };
      if (isRequestLineParseError(code)) return { status: 400, code: BAD_REQUEST_LINE, message: 'Request line must end in HTTP/1.1 or HTTP/1.0' };
      if (code.includes('CONTENT_LENGTH')) return { status: 400, code: 'BAD_CONTENT_LENGTH', message: 'Content-Length is invalid or duplicated' };
      if (code.includes('TRANSFER_ENCODING') || code.includes('CHUNK')) return { status: 400, code: 'BAD_TRANSFER_ENCODING', message: 'Transfer-Encoding is invalid' };
      return { status: 400, code: 'BAD_REQUEST', message: 'Malformed HTTP request' };
    },
  };
}

export type RequestGuards = ReturnType<typeof createRequestGuards>;

/** Every Host field value as received: Node keeps only the first of several in `headers.host`. */
function hostValues(raw: string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name !== undefined && name.length === 4 && name.toLowerCase() === 'host') values.push(raw[i + 1] ?? '');
  }
  return values;
}
