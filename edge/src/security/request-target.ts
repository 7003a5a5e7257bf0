import { parseAuthority, sameAuthority } from './host-header.js';

/** Why the edge refuses a request before routing it; rendered as `{"error":{"code","message"}}`. */
export interface Rejection {
  status: number;
  code: string;
  message: string;
}

export type TargetCheck = { ok: true; path: string; url: string } | ({ ok: false } & Rejection);

const reject = (status: number, code: string, message: string): TargetCheck => ({ ok: false, status, code, message });

/** After one decoding, these would still decode into a dot, a slash, a backslash or NUL: double encoding. */
const DOUBLE_ENCODED = /%(2e|2f|5c|00)/i;

/**
 * Checks the request target before it is matched or forwarded. Paths are compared segment by segment, so anything
 * that could make the edge and a backend disagree about the path is refused rather than normalised: dot segments
 * (plain or percent-encoded, also double-encoded), encoded slashes or backslashes inside a segment, backslashes,
 * NUL, invalid percent-encoding (including overlong UTF-8). Absolute-form targets are accepted only when their
 * authority is valid (security/host-header.ts) and names the same origin as the Host header (RFC 9112 §3.2.2:
 * host case-insensitive, a missing port the scheme's default), and are rewritten to origin-form; the edge never
 * derives an upstream from them.
 */
export function checkRequestTarget(rawUrl: string, host: string | undefined): TargetCheck {
  let url = rawUrl;
  if (!url.startsWith('/')) {
    const absolute = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(url);
    if (!absolute) return reject(400, 'BAD_REQUEST_TARGET', 'Request target must be an absolute path');
    const target = parseAuthority(absolute[2] ?? '');
    if (!target.ok) return reject(400, 'BAD_REQUEST_TARGET', `Request target authority is invalid: ${target.message}`);
    const own = host === undefined ? undefined : parseAuthority(host);
    if (!own?.ok || !sameAuthority(target.authority, own.authority, absolute[1] ?? 'http')) {
      return reject(400, 'FOREIGN_HOST', 'This is not a forward proxy: absolute-form targets must name this host');
    }
    url = absolute[3] || '/';
    if (!url.startsWith('/')) url = `/${url}`;
  }
  if (url.includes('#')) return reject(400, 'BAD_REQUEST_TARGET', 'Request target must not contain a fragment');

  const queryAt = url.indexOf('?');
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  if (path.includes('\\')) return reject(400, 'BAD_PATH', 'Backslashes are not allowed in paths');
  if (path.includes('\0')) return reject(400, 'BAD_PATH', 'NUL is not allowed in paths');

  for (const segment of path.split('/')) {
    if (segment === '.' || segment === '..') return reject(400, 'PATH_TRAVERSAL', 'Dot segments are not allowed in paths');
    if (!segment.includes('%')) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return reject(400, 'BAD_PATH_ENCODING', 'Path contains invalid percent-encoding');
    }
    if (decoded === '.' || decoded === '..') return reject(400, 'PATH_TRAVERSAL', 'Encoded dot segments are not allowed in paths');
    if (decoded.includes('/') || decoded.includes('\\')) return reject(400, 'BAD_PATH', 'Encoded slashes are not allowed in paths');
    if (decoded.includes('\0')) return reject(400, 'BAD_PATH', 'NUL is not allowed in paths');
    if (DOUBLE_ENCODED.test(decoded)) return reject(400, 'BAD_PATH_ENCODING', 'Double-encoded path characters are not allowed');
  }
  return { ok: true, path, url };
}

/**
 * The declared body length: a number, undefined when absent, or 'invalid'. Node's parser already refuses most bad
 * values (non-digits, conflicting duplicates, Content-Length with Transfer-Encoding); this is the second line.
 */
export function declaredLength(value: string | undefined): number | 'invalid' | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) return 'invalid';
  return Number(value);
}
