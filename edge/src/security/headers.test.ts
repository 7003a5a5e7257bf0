import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { connectionNamedHeaders, isDroppedResponseHeader, sanitizeRequestHeaders } from './headers.js';

const untrusted = { trustForwarded: false, remoteAddress: '192.0.2.10', encrypted: false };

describe('sanitizeRequestHeaders', () => {
  it('drops spoofable identity and internal headers and sets x-request-id', () => {
    const headers: IncomingHttpHeaders = {
      host: 'shop.example',
      'x-user-id': '1',
      'x-user-roles': 'admin',
      'x-strangler-backend': 'users',
      'x-strangler-anything': 'x',
      'x-request-id': 'client-chosen',
      accept: 'application/json',
    };
    sanitizeRequestHeaders(headers, { requestId: 'rid-1' }, untrusted);
    expect(headers).toEqual({
      host: 'shop.example',
      accept: 'application/json',
      'x-request-id': 'rid-1',
      'x-forwarded-for': '192.0.2.10',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'shop.example',
    });
  });

  it('sets x-user-id only from the verified identity', () => {
    const headers: IncomingHttpHeaders = { 'x-user-id': '1' };
    sanitizeRequestHeaders(headers, { requestId: 'r', userId: '42' }, untrusted);
    expect(headers['x-user-id']).toBe('42');
  });

  it('passes trace context and credentials through untouched', () => {
    const headers: IncomingHttpHeaders = { traceparent: '00-abc-def-01', tracestate: 'a=b', authorization: 'Bearer t', cookie: 'sid=x' };
    sanitizeRequestHeaders(headers, { requestId: 'r' }, untrusted);
    expect(headers).toMatchObject({ traceparent: '00-abc-def-01', tracestate: 'a=b', authorization: 'Bearer t', cookie: 'sid=x' });
  });

  it('drops hop-by-hop headers, the ones Connection names, and Expect, but never the body framing', () => {
    const headers: IncomingHttpHeaders = {
      connection: 'keep-alive, X-Secret, content-length, transfer-encoding',
      'keep-alive': 'timeout=5',
      'x-secret': 's',
      te: 'trailers',
      trailer: 'x',
      upgrade: 'websocket',
      'proxy-authorization': 'Basic x',
      'proxy-connection': 'keep-alive',
      expect: '100-continue',
      'content-length': '5',
      'transfer-encoding': 'chunked',
    };
    sanitizeRequestHeaders(headers, { requestId: 'r' }, untrusted);
    expect(Object.keys(headers).sort()).toEqual(
      ['content-length', 'transfer-encoding', 'x-forwarded-for', 'x-forwarded-proto', 'x-request-id'].sort(),
    );
  });

  it('overwrites x-forwarded-* and drops Forwarded from an untrusted client', () => {
    const headers: IncomingHttpHeaders = {
      host: 'shop.example',
      'x-forwarded-for': '6.6.6.6',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '1',
      forwarded: 'for=6.6.6.6',
    };
    sanitizeRequestHeaders(headers, { requestId: 'r' }, { ...untrusted, encrypted: true });
    expect(headers).toMatchObject({ 'x-forwarded-for': '192.0.2.10', 'x-forwarded-host': 'shop.example', 'x-forwarded-proto': 'https' });
    expect(headers['x-forwarded-port']).toBeUndefined();
    expect(headers.forwarded).toBeUndefined();
  });

  it('extends x-forwarded-* of a trusted proxy in front', () => {
    const headers: IncomingHttpHeaders = { host: 'edge.internal', 'x-forwarded-for': '203.0.113.5', 'x-forwarded-host': 'shop.example', 'x-forwarded-proto': 'https' };
    sanitizeRequestHeaders(headers, { requestId: 'r' }, { trustForwarded: true, remoteAddress: '10.0.0.2', encrypted: false });
    expect(headers).toMatchObject({ 'x-forwarded-for': '203.0.113.5, 10.0.0.2', 'x-forwarded-host': 'shop.example', 'x-forwarded-proto': 'https' });
  });
});

describe('response headers', () => {
  it('drops hop-by-hop and edge-owned headers, and what Connection names (except framing)', () => {
    const named = connectionNamedHeaders('close, X-Internal, content-length');
    for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'x-request-id', 'x-strangler-backend', 'x-internal']) {
      expect(isDroppedResponseHeader(name, named), name).toBe(true);
    }
    for (const name of ['content-type', 'content-length', 'set-cookie', 'cache-control', 'etag']) {
      expect(isDroppedResponseHeader(name, named), name).toBe(false);
    }
    expect(connectionNamedHeaders(undefined)).toBeUndefined();
  });
});
