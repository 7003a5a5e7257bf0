import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFakeFlagEvaluator } from '../flags/fake-flag-evaluator.js';
import type { FakeUpstream } from '../testing/fake-upstream.js';
import { metricValue, rawJson, rawStatus, send, sendRaw, startEdgeOnFakeUpstreams, type TestEdge } from '../testing/test-edge.js';

/**
 * Strict HTTP at the edge, over raw sockets (bytes no HTTP client would send): the request line must carry HTTP/1.1
 * or HTTP/1.0, and Host must be one valid authority (RFC 9112 §3.2, RFC 3986 §3.2; the rules are in
 * security/host-header.ts). A refused request gets a 400 with the JSON error body and reaches no upstream; an
 * accepted one reaches the service with what the edge read.
 */
describe('strict request line and Host', () => {
  let legacy: FakeUpstream;
  let users: FakeUpstream;
  let catalog: FakeUpstream;
  let t: TestEdge;

  beforeAll(async () => {
    ({ edge: t, legacy, users, catalog } = await startEdgeOnFakeUpstreams({ flags: createFakeFlagEvaluator({ 'users.reads': true }) }));
  });

  afterAll(async () => {
    await t.close();
    await Promise.all([legacy.close(), users.close(), catalog.close()]);
  });

  beforeEach(() => {
    for (const upstream of [legacy, users, catalog]) upstream.received.length = 0;
  });

  const CRLF = '\r\n';
  /** A request head: the request line, then the header lines as given, then the blank line. */
  const raw = (line: string, headers: string[]) => [line, ...headers, 'Connection: close', '', ''].join(CRLF);
  const get = (headers: string[], version = 'HTTP/1.1') => raw(`GET /api/users/1 ${version}`, headers);

  interface Refused {
    name: string;
    raw: string;
    code: string;
  }

  const refused: Refused[] = [
    // The request line.
    { name: 'HTTP/0.9-style line (no version) followed by headers and a body', raw: `GET /api/users/1${CRLF}Host: edge.test${CRLF}Content-Length: 5${CRLF}${CRLF}hello`, code: 'BAD_REQUEST_LINE' },
    { name: 'HTTP/0.9-style line alone', raw: `GET /api/users/1${CRLF}${CRLF}`, code: 'BAD_REQUEST_LINE' },
    { name: 'HTTP/0.9-style line, then a smuggled request as "headers"', raw: `GET /api/users/1${CRLF}GET /api/admin HTTP/1.1${CRLF}Host: edge.test${CRLF}${CRLF}`, code: 'BAD_REQUEST' },
    { name: 'HTTP/0.9 spelled out', raw: get(['Host: edge.test'], 'HTTP/0.9'), code: 'BAD_REQUEST_LINE' },
    { name: 'HTTP/1.2', raw: get(['Host: edge.test'], 'HTTP/1.2'), code: 'BAD_REQUEST_LINE' },
    { name: 'HTTP/2.0 over HTTP/1 framing', raw: get(['Host: edge.test'], 'HTTP/2.0'), code: 'BAD_REQUEST_LINE' },
    { name: 'HTTP/3.0', raw: get(['Host: edge.test'], 'HTTP/3.0'), code: 'BAD_REQUEST_LINE' },
    { name: 'HTTP/1.01', raw: get(['Host: edge.test'], 'HTTP/1.01'), code: 'BAD_REQUEST_LINE' },
    { name: 'HTTP/1', raw: get(['Host: edge.test'], 'HTTP/1'), code: 'BAD_REQUEST_LINE' },
    { name: 'lower-case http/1.1', raw: get(['Host: edge.test'], 'http/1.1'), code: 'BAD_REQUEST_LINE' },
    { name: 'a space after the version', raw: get(['Host: edge.test'], 'HTTP/1.1 '), code: 'BAD_REQUEST_LINE' },
    { name: 'something after the version', raw: get(['Host: edge.test'], 'HTTP/1.1 extra'), code: 'BAD_REQUEST_LINE' },
    { name: 'a bare LF ending the request line', raw: `GET /api/users/1 HTTP/1.1\nHost: edge.test${CRLF}${CRLF}`, code: 'BAD_REQUEST_LINE' },
    { name: 'lower-case method', raw: raw('get /api/users/1 HTTP/1.1', ['Host: edge.test']), code: 'BAD_REQUEST' },
    { name: 'mixed-case method', raw: raw('Get /api/users/1 HTTP/1.1', ['Host: edge.test']), code: 'BAD_REQUEST' },
    { name: 'a tab between method and target', raw: raw('GET\t/api/users/1 HTTP/1.1', ['Host: edge.test']), code: 'BAD_REQUEST' },
    { name: 'a tab inside the target', raw: raw('GET /api/us\ters/1 HTTP/1.1', ['Host: edge.test']), code: 'BAD_REQUEST' },
    { name: 'the HTTP/2 connection preface', raw: `PRI * HTTP/2.0${CRLF}${CRLF}SM${CRLF}${CRLF}`, code: 'BAD_REQUEST' },

    // Host: how many.
    { name: 'HTTP/1.1 without Host', raw: get([]), code: 'BAD_HOST' },
    { name: 'HTTP/1.1 absolute-form without Host', raw: raw('GET http://edge.test/api/users/1 HTTP/1.1', []), code: 'BAD_HOST' },
    { name: 'two identical Hosts', raw: get(['Host: edge.test', 'Host: edge.test']), code: 'BAD_HOST' },
    { name: 'two Hosts on HTTP/1.0', raw: get(['Host: edge.test', 'Host: other.test'], 'HTTP/1.0'), code: 'BAD_HOST' },
    { name: 'Host spelled in two cases, twice', raw: get(['Host: edge.test', 'hOST: other.test']), code: 'BAD_HOST' },
    // Host: its value.
    { name: 'an empty Host on HTTP/1.1', raw: get(['Host: ']), code: 'BAD_HOST' },
    { name: 'an empty Host on HTTP/1.0', raw: get(['Host:'], 'HTTP/1.0'), code: 'BAD_HOST' },
    { name: 'a comma-separated list', raw: get(['Host: edge.test,evil.test']), code: 'BAD_HOST' },
    { name: 'a comma-and-space list', raw: get(['Host: edge.test, evil.test']), code: 'BAD_HOST' },
    { name: 'a path', raw: get(['Host: edge.test/admin']), code: 'BAD_HOST' },
    { name: 'a query', raw: get(['Host: edge.test?x=1']), code: 'BAD_HOST' },
    { name: 'a fragment', raw: get(['Host: edge.test#x']), code: 'BAD_HOST' },
    { name: 'userinfo', raw: get(['Host: user@edge.test']), code: 'BAD_HOST' },
    { name: 'userinfo with a password', raw: get(['Host: user:secret@edge.test']), code: 'BAD_HOST' },
    { name: 'a non-numeric port', raw: get(['Host: edge.test:http']), code: 'BAD_HOST' },
    { name: 'an empty port', raw: get(['Host: edge.test:']), code: 'BAD_HOST' },
    { name: 'port 0', raw: get(['Host: edge.test:0']), code: 'BAD_HOST' },
    { name: 'port 65536', raw: get(['Host: edge.test:65536']), code: 'BAD_HOST' },
    { name: "a port with a leading '+'", raw: get(['Host: edge.test:+8000']), code: 'BAD_HOST' },
    { name: 'a port with a leading zero', raw: get(['Host: edge.test:08000']), code: 'BAD_HOST' },
    { name: 'two ports', raw: get(['Host: edge.test:8000:8001']), code: 'BAD_HOST' },
    { name: 'a space inside', raw: get(['Host: edge test']), code: 'BAD_HOST' },
    { name: 'a tab inside', raw: get(['Host: edge\ttest']), code: 'BAD_HOST' },
    { name: 'a space before the port', raw: get(['Host: edge.test :8000']), code: 'BAD_HOST' },
    { name: 'percent-encoding', raw: get(['Host: %65dge.test']), code: 'BAD_HOST' },
    { name: 'non-ASCII bytes', raw: get(['Host: b\u00fccher.test']), code: 'BAD_HOST' },
    { name: 'a leading dot', raw: get(['Host: .edge.test']), code: 'BAD_HOST' },
    { name: 'an empty label', raw: get(['Host: edge..test']), code: 'BAD_HOST' },
    { name: 'two trailing dots', raw: get(['Host: edge.test..']), code: 'BAD_HOST' },
    { name: 'a label ending in a hyphen', raw: get(['Host: edge-.test']), code: 'BAD_HOST' },
    { name: 'a sub-delim in the name', raw: get(['Host: edge;x=1.test']), code: 'BAD_HOST' },
    { name: 'a backslash', raw: get(['Host: edge.test\\admin']), code: 'BAD_HOST' },
    { name: 'a short-form IPv4', raw: get(['Host: 127.1']), code: 'BAD_HOST' },
    { name: 'an IPv4 with an octal-looking octet', raw: get(['Host: 0127.0.0.1']), code: 'BAD_HOST' },
    { name: 'an IPv4 out of range', raw: get(['Host: 127.0.0.256']), code: 'BAD_HOST' },
    { name: 'an unbracketed IPv6', raw: get(['Host: ::1']), code: 'BAD_HOST' },
    { name: 'an unterminated IPv6 literal', raw: get(['Host: [::1']), code: 'BAD_HOST' },
    { name: 'an invalid IPv6 literal', raw: get(['Host: [::g]']), code: 'BAD_HOST' },
    { name: 'an IPv4 in brackets', raw: get(['Host: [127.0.0.1]']), code: 'BAD_HOST' },
    { name: 'an IPv6 zone id', raw: get(['Host: [fe80::1%25eth0]']), code: 'BAD_HOST' },
    { name: 'an IPv6 literal with a bad port', raw: get(['Host: [::1]:99999']), code: 'BAD_HOST' },
    // Host: what Node's parser refuses before a request exists (answered by the clientError handler, same JSON).
    { name: 'obs-fold continuing Host', raw: get(['Host: edge.test', ' evil.test']), code: 'BAD_REQUEST' },
    { name: 'a CR injecting a header', raw: get(['Host: edge.test\rX-Injected: 1']), code: 'BAD_REQUEST' },
    { name: 'a NUL in Host', raw: get(['Host: edge\u0000.test']), code: 'BAD_REQUEST' },
    { name: 'a space before the colon', raw: get(['Host : edge.test']), code: 'BAD_REQUEST' },
    { name: 'a header line starting with a space', raw: get([' Host: edge.test']), code: 'BAD_REQUEST' },
    // Absolute-form: the target's authority must be valid and name the same origin as Host.
    { name: 'absolute-form naming another host', raw: raw('GET http://evil.test/api/users/1 HTTP/1.1', ['Host: edge.test']), code: 'FOREIGN_HOST' },
    { name: 'absolute-form naming another port', raw: raw('GET http://edge.test:8080/api/users/1 HTTP/1.1', ['Host: edge.test']), code: 'FOREIGN_HOST' },
    { name: 'absolute-form https default port against plain Host :80', raw: raw('GET https://edge.test/api/users/1 HTTP/1.1', ['Host: edge.test:80']), code: 'FOREIGN_HOST' },
    { name: 'absolute-form with userinfo', raw: raw('GET http://user@edge.test/api/users/1 HTTP/1.1', ['Host: edge.test']), code: 'BAD_REQUEST_TARGET' },
    { name: 'absolute-form with a bad port', raw: raw('GET http://edge.test:0/api/users/1 HTTP/1.1', ['Host: edge.test']), code: 'BAD_REQUEST_TARGET' },
    { name: 'absolute-form with an empty authority', raw: raw('GET http:///api/users/1 HTTP/1.1', ['Host: edge.test']), code: 'BAD_REQUEST_TARGET' },
    { name: 'absolute-form on HTTP/1.0 without Host', raw: raw('GET http://edge.test/api/users/1 HTTP/1.0', []), code: 'FOREIGN_HOST' },
  ];

  it.each(refused)('refuses $name: 400 $code, nothing forwarded', async ({ raw: payload, code }) => {
    const response = await sendRaw(t.port, Buffer.from(payload, 'latin1'));
    expect(rawStatus(response), response.slice(0, 300)).toBe(400);
    expect(rawJson(response)).toEqual({ error: { code, message: expect.any(String) } });
    expect(response).toMatch(/\r\ncontent-type: application\/json/i);
    expect([...legacy.received, ...users.received, ...catalog.received]).toEqual([]);
    // Still serving.
    expect((await send(t.url, '/api/users/1')).status).toBe(200);
  });

  it('closes the connection after refusing a version-less line, so its "body" is never read as a request', async () => {
    const response = await sendRaw(t.port, `GET /api/users/1${CRLF}Host: edge.test${CRLF}Content-Length: 52${CRLF}${CRLF}GET /api/orders/1 HTTP/1.1${CRLF}Host: edge.test${CRLF}${CRLF}`);
    expect(response.match(/^HTTP\/1\.1 /gm)).toHaveLength(1);
    expect(response).toMatch(/\r\nconnection: close/i);
    expect(rawJson(response)).toMatchObject({ error: { code: 'BAD_REQUEST_LINE' } });
    expect([...legacy.received, ...users.received]).toEqual([]);
  });

  interface Accepted {
    name: string;
    raw: string;
    /** What the service received as x-forwarded-host (the client's Host), or undefined for none. */
    forwardedHost: string | undefined;
    url?: string;
  }

  const accepted: Accepted[] = [
    { name: 'a plain name', raw: get(['Host: edge.test']), forwardedHost: 'edge.test' },
    { name: 'a name and port in upper case', raw: get(['Host: EDGE.TEST:8000']), forwardedHost: 'EDGE.TEST:8000' },
    { name: 'optional whitespace around the value', raw: get(['Host: \t edge.test \t']), forwardedHost: 'edge.test' },
    { name: 'an IPv4 address and port', raw: get(['Host: 127.0.0.1:8000']), forwardedHost: '127.0.0.1:8000' },
    { name: 'an IPv6 literal and port', raw: get(['Host: [::1]:8000']), forwardedHost: '[::1]:8000' },
    { name: 'a full IPv6 literal', raw: get(['Host: [2001:db8:0:0:0:0:0:1]']), forwardedHost: '[2001:db8:0:0:0:0:0:1]' },
    { name: 'a trailing dot (absolute FQDN)', raw: get(['Host: edge.test.']), forwardedHost: 'edge.test.' },
    { name: 'an underscore (compose service names)', raw: get(['Host: users_service:3001']), forwardedHost: 'users_service:3001' },
    { name: 'a punycode name', raw: get(['Host: xn--bcher-kva.test']), forwardedHost: 'xn--bcher-kva.test' },
    { name: 'port 65535', raw: get(['Host: edge.test:65535']), forwardedHost: 'edge.test:65535' },
    { name: 'lower-case header name', raw: get(['host: edge.test']), forwardedHost: 'edge.test' },
    { name: 'HTTP/1.0 without Host', raw: get([], 'HTTP/1.0'), forwardedHost: undefined },
    { name: 'HTTP/1.0 with Host', raw: get(['Host: edge.test'], 'HTTP/1.0'), forwardedHost: 'edge.test' },
    { name: 'absolute-form naming Host', raw: raw('GET http://edge.test/api/users/1?x=1 HTTP/1.1', ['Host: edge.test']), forwardedHost: 'edge.test', url: '/api/users/1?x=1' },
    { name: 'absolute-form in another case', raw: raw('GET http://EDGE.test/api/users/1 HTTP/1.1', ['Host: edge.TEST']), forwardedHost: 'edge.TEST' },
    { name: 'absolute-form with the default port spelled out', raw: raw('GET http://edge.test:80/api/users/1 HTTP/1.1', ['Host: edge.test']), forwardedHost: 'edge.test' },
    // RFC 9112 §3 lets a recipient split the request line on runs of whitespace; llhttp does, and the upstream gets
    // the request line the edge re-serialises (single spaces), so the two cannot read it differently.
    { name: 'two spaces before the target', raw: raw('GET  /api/users/1 HTTP/1.1', ['Host: edge.test']), forwardedHost: 'edge.test' },
    { name: 'two spaces before the version', raw: raw('GET /api/users/1  HTTP/1.1', ['Host: edge.test']), forwardedHost: 'edge.test' },
  ];

  it.each(accepted)('accepts $name: 200 from the service, which saw the request', async ({ raw: payload, forwardedHost, url }) => {
    const response = await sendRaw(t.port, payload);
    expect(rawStatus(response), response.slice(0, 300)).toBe(200);
    expect(response).toMatch(/\r\nx-strangler-backend: users/i);
    expect(users.received.map((r) => [r.method, r.url, r.headers['x-forwarded-host']])).toEqual([['GET', url ?? '/api/users/1', forwardedHost]]);
    expect(legacy.received).toEqual([]);
  });

  it('counts the refusals by code', async () => {
    const text = (await send(t.adminUrl, '/metrics')).text;
    expect(metricValue(text, 'edge_rejected_requests_total', { code: 'BAD_HOST' })).toBeGreaterThanOrEqual(30);
    expect(metricValue(text, 'edge_rejected_requests_total', { code: 'BAD_REQUEST_LINE' })).toBeGreaterThanOrEqual(10);
  });
});
