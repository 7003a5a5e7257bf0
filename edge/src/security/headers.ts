import type { IncomingHttpHeaders } from 'node:http';

/** Hop-by-hop headers (RFC 9110 §7.6.1) never cross the edge; the edge and its pools manage connections themselves. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
]);

/** Request headers a client must never be able to set: the edge alone asserts identity and internal state. */
const IDENTITY_HEADERS: ReadonlySet<string> = new Set(['x-user-id', 'x-user-roles']);
const FORWARDING_HEADERS: ReadonlySet<string> = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded']);

export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function connectionListed(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = Array.isArray(value) ? value.join(',') : value;
  return text
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token !== '');
}

export interface ForwardingFacts {
  /** Proxies in front of the edge are trusted: keep (and extend) their x-forwarded-* headers. */
  trustForwarded: boolean;
  remoteAddress: string | undefined;
  encrypted: boolean;
}

export interface RequestIdentity {
  requestId: string;
  /** Only from a verified token. */
  userId?: string;
}

/**
 * Rewrites the inbound headers, in place, into what an upstream may see: hop-by-hop headers and every header the
 * Connection header names are dropped, spoofable identity (x-user-id, x-user-roles, x-strangler-*) is dropped,
 * x-forwarded-* are ours (extended only when the hop in front is trusted), `expect` is dropped (the edge answers
 * 100-continue itself), and x-request-id / x-user-id are set. traceparent/tracestate and everything else pass untouched.
 * Runs once per request: a request re-sent to legacy after a failed attempt reuses the result.
 */
export function sanitizeRequestHeaders(headers: IncomingHttpHeaders, identity: RequestIdentity, facts: ForwardingFacts): void {
  const named = connectionListed(headers.connection);
  for (const name of Object.keys(headers)) {
    if (
      HOP_BY_HOP.has(name) ||
      IDENTITY_HEADERS.has(name) ||
      name.startsWith('x-strangler-') ||
      name === 'expect' ||
      (!facts.trustForwarded && FORWARDING_HEADERS.has(name))
    ) {
      delete headers[name];
    }
  }
  for (const name of named) {
    // The framing headers stay whatever Connection says: the body must still be delimited.
    if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'host') delete headers[name];
  }

  const remote = facts.remoteAddress ?? '';
  const inboundFor = facts.trustForwarded ? headers['x-forwarded-for'] : undefined;
  headers['x-forwarded-for'] = inboundFor ? `${inboundFor}, ${remote}` : remote;
  headers['x-forwarded-proto'] = (facts.trustForwarded && headers['x-forwarded-proto']) || (facts.encrypted ? 'https' : 'http');
  const forwardedHost = (facts.trustForwarded && headers['x-forwarded-host']) || headers.host;
  if (forwardedHost) headers['x-forwarded-host'] = forwardedHost;
  else delete headers['x-forwarded-host'];
  delete headers['x-forwarded-port'];
  delete headers.forwarded;

  headers['x-request-id'] = identity.requestId;
  if (identity.userId !== undefined) headers['x-user-id'] = identity.userId;
}

/** Upstream response headers the edge does not pass on: hop-by-hop ones, and the ones the edge sets itself. */
export function isDroppedResponseHeader(name: string, connectionNamed: ReadonlySet<string> | undefined): boolean {
  return (
    HOP_BY_HOP.has(name) ||
    name === 'transfer-encoding' ||
    name === 'x-request-id' ||
    name.startsWith('x-strangler-') ||
    (connectionNamed !== undefined && connectionNamed.has(name) && name !== 'content-length')
  );
}

export function connectionNamedHeaders(value: string | string[] | undefined): ReadonlySet<string> | undefined {
  const names = connectionListed(value);
  return names.length === 0 ? undefined : new Set(names);
}
