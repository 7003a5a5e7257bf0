import type { Rejection } from './request-target.js';

/** The versions the edge speaks: HTTP/1.1, and HTTP/1.0 (no Host required). */
const SUPPORTED = new Set(['1.1', '1.0']);

/**
 * llhttp's parse errors that mean the request line has no valid HTTP-version: `HTTP/1.2`, `HTTP/1.01`, `http/1.1`,
 * `HTTP/1.1 ` (anything after the version), a bare-LF line end. Node's parser refuses these before a request exists.
 */
const REQUEST_LINE_PARSE_ERRORS: ReadonlySet<string> = new Set(['HPE_INVALID_VERSION', 'HPE_INVALID_CONSTANT']);

export const BAD_REQUEST_LINE = 'BAD_REQUEST_LINE';

/**
 * RFC 9112 §3: request-line = method SP request-target SP HTTP-version CRLF. Node's parser (llhttp) lets two kinds of
 * bad line through as requests, and both are refused here: an HTTP/0.9-style line with no version at all, which it
 * reports as `0.9` and then reads whatever follows as headers and a body; and a well-formed but foreign version
 * (`HTTP/2.0`, `HTTP/0.9` spelled out), which HTTP/1.x framing cannot carry.
 */
export function checkHttpVersion(httpVersion: string): Rejection | undefined {
  if (SUPPORTED.has(httpVersion)) return undefined;
  const message =
    httpVersion === '0.9' || httpVersion === ''
      ? 'Request line must end in HTTP/1.1 or HTTP/1.0'
      : `HTTP/${httpVersion} is not supported: use HTTP/1.1 or HTTP/1.0`;
  return { status: 400, code: BAD_REQUEST_LINE, message };
}

/** Whether a parse error of Node's is about the request line's version (answered like checkHttpVersion's refusals). */
export function isRequestLineParseError(code: string): boolean {
  return REQUEST_LINE_PARSE_ERRORS.has(code);
}
