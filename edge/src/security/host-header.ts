import { isIPv4, isIPv6 } from 'node:net';

/** A Host value (or an absolute-form target's authority) that passed the checks: host lower-cased, port if given. */
export interface Authority {
  host: string;
  port: number | undefined;
  kind: 'reg-name' | 'ipv4' | 'ipv6';
}

export type AuthorityCheck = { ok: true; authority: Authority } | { ok: false; message: string };

export type HostCheck = { ok: true; authority: Authority | undefined } | { ok: false; message: string };

const fail = (message: string): { ok: false; message: string } => ({ ok: false, message });

/** One DNS-style label: letters, digits, '_' inside, '-' inside only (RFC 1123 LDH, plus '_': see parseAuthority). */
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
/** Only digits and dots: such a name is read as an IPv4 address by many resolvers, so it must be a valid one. */
const NUMERIC = /^[0-9.]+$/;
/** Dotted-quad with no leading zeros (a leading zero reads as octal to inet_aton). */
const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const PORT = /^[1-9]\d{0,4}$/;

/**
 * RFC 3986 §3.2 authority without userinfo, as a Host value must be (RFC 9112 §3.2, RFC 9110 §7.2):
 * `host [":" port]`, where host is an IP-literal `[IPv6]`, a dotted-quad IPv4, or a reg-name. Stricter than the
 * bare grammar wherever the grammar lets two readers disagree:
 * - reg-name: only what a DNS name can carry — ASCII letters, digits, '-', '.' and '_' (compose and k8s service
 *   names use '_'); labels of 1-63 characters, not starting or ending with '-'; at most 253 characters; one trailing
 *   dot (an absolute FQDN) allowed. So no sub-delims (',' ';' '=' '!' …): a comma is how a list of Hosts is joined.
 * - no percent-encoding: an encoded reg-name is either non-ASCII (clients send IDNs as punycode `xn--` A-labels)
 *   or an ASCII name in disguise; both are refused rather than decoded.
 * - a name of only digits and dots must be a valid dotted-quad (no `127.1`, `0x7f.1`, `010.0.0.1`, `1.2.3.256`).
 * - IP-literal: a valid IPv6 address; IPvFuture and zone identifiers (`%25eth0`) are refused.
 * - port: 1-65535, decimal digits, no sign or leading zero; an empty port after ':' is refused.
 * - no userinfo ('@'), path, query or fragment, whitespace, control or non-ASCII characters.
 */
export function parseAuthority(value: string): AuthorityCheck {
  if (value === '') return fail('Host is empty');
  // One pass for the characters no authority may hold at all, with a message that says which.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c === 0x7f) return fail('Host contains whitespace or a control character');
    if (c > 0x7e) return fail('Host must be ASCII (international names as punycode)');
  }
  if (value.includes(',')) return fail('Host must be one authority, not a list');
  if (value.includes('@')) return fail('Host must not contain userinfo');
  if (/[/?#\\]/.test(value)) return fail('Host must not contain a path, query or fragment');
  if (value.includes('%')) return fail('Host must not be percent-encoded');

  let hostPart: string;
  let portPart: string | undefined;
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close === -1) return fail('Host has an unterminated IP literal');
    hostPart = value.slice(0, close + 1);
    const rest = value.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return fail('Host has characters after its IP literal');
      portPart = rest.slice(1);
    }
  } else {
    const colon = value.indexOf(':');
    if (colon !== -1 && value.indexOf(':', colon + 1) !== -1) return fail('Host has more than one ":" (an IPv6 address must be in brackets)');
    hostPart = colon === -1 ? value : value.slice(0, colon);
    portPart = colon === -1 ? undefined : value.slice(colon + 1);
  }

  let port: number | undefined;
  if (portPart !== undefined) {
    if (!PORT.test(portPart) || Number(portPart) > 65535) return fail('Host port must be a number from 1 to 65535');
    port = Number(portPart);
  }

  if (hostPart.startsWith('[')) {
    const inner = hostPart.slice(1, -1);
    if (!isIPv6(inner)) return fail('Host IP literal is not a valid IPv6 address');
    return { ok: true, authority: { host: `[${inner.toLowerCase()}]`, port, kind: 'ipv6' } };
  }
  const host = hostPart.toLowerCase();
  if (host === '') return fail('Host has no host name');
  if (NUMERIC.test(host)) {
    if (!DOTTED_QUAD.test(host) || !isIPv4(host)) return fail('Host looks like an IPv4 address but is not a valid one');
    return { ok: true, authority: { host, port, kind: 'ipv4' } };
  }
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  if (name.length > 253) return fail('Host name is longer than 253 characters');
  for (const label of name.split('.')) {
    if (!LABEL.test(label)) return fail('Host name is not a valid DNS-style name');
  }
  return { ok: true, authority: { host, port, kind: 'reg-name' } };
}

/**
 * RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request without Host, to any request with more than one
 * Host field line, and to a Host with an invalid value. `values` are the raw Host field values as received (Node keeps
 * only the first in `headers.host`, so the caller passes every one from `rawHeaders`). An empty Host is refused too:
 * it only stands for a URI with no authority, and an http(s) URI must have a non-empty host (RFC 9110 §4.2.1).
 * HTTP/1.0 may leave Host out.
 */
export function checkHostHeader(values: readonly string[], httpVersion: string): HostCheck {
  if (values.length > 1) return fail('More than one Host header');
  const value = values[0];
  if (value === undefined) return httpVersion === '1.0' ? { ok: true, authority: undefined } : fail('Host header is required');
  const parsed = parseAuthority(value);
  return parsed.ok ? { ok: true, authority: parsed.authority } : parsed;
}

const DEFAULT_PORT: Record<string, number> = { http: 80, https: 443 };

/**
 * Whether two authorities name the same origin (RFC 3986 §6.2.3 normalisation): host compared case-insensitively
 * (both are lower-cased already), a missing port the same as the scheme's default. A trailing dot is significant
 * (`a.test.` and `a.test` are different strings to every backend's virtual hosting).
 */
export function sameAuthority(a: Authority, b: Authority, scheme: string): boolean {
  const defaultPort = DEFAULT_PORT[scheme.toLowerCase()];
  return a.host === b.host && (a.port ?? defaultPort) === (b.port ?? defaultPort);
}
