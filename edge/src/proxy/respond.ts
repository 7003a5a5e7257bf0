import { STATUS_CODES, type ServerResponse } from 'node:http';
import { errorBody } from '@strangler/platform';

/** Writes the edge's own JSON answer (`{"error":{"code","message"}}`); the caller has checked headers are unsent. */
export function sendJsonError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string | number | string[]> = {},
): void {
  const body = JSON.stringify(errorBody(code, message));
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('cache-control', 'no-store');
  res.writeHead(status);
  res.end(body);
}

/**
 * A complete raw HTTP/1.1 response for a socket the HTTP parser has given up on (no ServerResponse exists).
 * Always closes: after a parse error the rest of the stream cannot be framed.
 */
export function rawJsonError(status: number, code: string, message: string): string {
  const body = JSON.stringify(errorBody(code, message));
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
    'Content-Type: application/json; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Cache-Control: no-store\r\n' +
    'Connection: close\r\n\r\n' +
    body
  );
}
