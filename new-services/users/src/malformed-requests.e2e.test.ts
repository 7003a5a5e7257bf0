import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, signTestToken, type TestApp } from './testing/test-app.js';

/**
 * Bad input gets a clear 4xx with a JSON error code and changes nothing — across every endpoint of the slice, with the
 * same codes the monolith answers (legacy/src/malformed-requests.e2e.test.ts). The table is checksummed around each request.
 */
describe('malformed and refused requests', () => {
  let t: TestApp;
  let alice: { id: number; token: string };
  let bob: { id: number; token: string };
  let ghostToken: string;
  let expiredAliceToken: string;

  async function checksum(): Promise<string> {
    const [rows] = (await t.db.raw('CHECKSUM TABLE accounts')) as [Array<{ Table: string; Checksum: number | null }>];
    return rows.map((row) => `${row.Table}=${row.Checksum}`).join(' ');
  }

  beforeAll(async () => {
    t = await createTestApp('users_svc_malformed');
    const [aliceId] = await t.db('accounts').insert({ email: 'alice@example.com', email_normalized: 'alice@example.com', display_name: 'Alice', password_hash: 'x' });
    const [bobId] = await t.db('accounts').insert({ email: 'Bob@Example.com', email_normalized: 'bob@example.com', display_name: 'Bob', password_hash: 'x' });
    alice = { id: aliceId as number, token: await signTestToken(aliceId as number) };
    bob = { id: bobId as number, token: await signTestToken(bobId as number) };
    ghostToken = await signTestToken(999_999);
    expiredAliceToken = await signTestToken(aliceId as number, { issuedAt: new Date(Date.now() - 7_200_000), ttlSeconds: 60 });
  });

  afterAll(async () => {
    await t.drop();
  });

  interface Case {
    name: string;
    method: 'get' | 'post' | 'patch' | 'delete';
    path: () => string;
    body?: unknown;
    raw?: { type: string; data: string; headers?: Record<string, string> };
    token?: () => string;
    status: number;
    code: string;
  }

  const valid = { email: 'new@example.com', fullName: 'New', password: 'password123' };
  const cases: Case[] = [
    { name: 'malformed JSON', method: 'post', path: () => '/api/users', raw: { type: 'application/json', data: '{"email":' }, status: 400, code: 'MALFORMED_JSON' },
    { name: 'body that is not JSON at all', method: 'post', path: () => '/api/users', raw: { type: 'text/plain', data: 'email=a@b.c' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'JSON in an unsupported charset', method: 'post', path: () => '/api/users', raw: { type: 'application/json; charset=latin1', data: JSON.stringify(valid) }, status: 415, code: 'UNSUPPORTED_ENCODING' },
    { name: 'JSON in an unsupported content encoding', method: 'post', path: () => '/api/users', raw: { type: 'application/json', data: JSON.stringify(valid), headers: { 'content-encoding': 'x-unknown' } }, status: 415, code: 'UNSUPPORTED_ENCODING' },
    { name: 'JSON array instead of object', method: 'post', path: () => '/api/users', body: [{ email: 'x@example.com' }], status: 400, code: 'VALIDATION_FAILED' },
    { name: 'bare JSON null (the strict parser takes objects and arrays only)', method: 'post', path: () => '/api/users', raw: { type: 'application/json', data: 'null' }, status: 400, code: 'MALFORMED_JSON' },
    { name: 'missing password', method: 'post', path: () => '/api/users', body: { email: 'new@example.com', fullName: 'New' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'extra field', method: 'post', path: () => '/api/users', body: { ...valid, admin: true }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'email of the wrong type', method: 'post', path: () => '/api/users', body: { ...valid, email: 42 }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'invalid email', method: 'post', path: () => '/api/users', body: { ...valid, email: 'not-an-email' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'name too long', method: 'post', path: () => '/api/users', body: { ...valid, fullName: 'x'.repeat(201) }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'password too short', method: 'post', path: () => '/api/users', body: { ...valid, password: 'short' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'duplicate email in another case', method: 'post', path: () => '/api/users', body: { ...valid, email: 'ALICE@example.com' }, status: 409, code: 'EMAIL_TAKEN' },
    { name: 'duplicate email with surrounding spaces', method: 'post', path: () => '/api/users', body: { ...valid, email: '  bob@example.COM ' }, status: 409, code: 'EMAIL_TAKEN' },
    { name: 'body over the size limit', method: 'post', path: () => '/api/users', body: { ...valid, password: 'x'.repeat(200_000) }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'non-numeric id', method: 'get', path: () => '/api/users/abc', status: 400, code: 'INVALID_ID' },
    { name: 'zero id', method: 'get', path: () => '/api/users/0', status: 400, code: 'INVALID_ID' },
    { name: 'id with a leading zero', method: 'get', path: () => `/api/users/0${alice.id}`, status: 400, code: 'INVALID_ID' },
    { name: 'id beyond INT range', method: 'get', path: () => '/api/users/99999999999', status: 400, code: 'INVALID_ID' },
    { name: 'unknown user', method: 'get', path: () => '/api/users/999999', status: 404, code: 'USER_NOT_FOUND' },
    { name: 'page size over the maximum', method: 'get', path: () => '/api/users?pageSize=1000', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'negative page', method: 'get', path: () => '/api/users?page=-1', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'page given twice', method: 'get', path: () => '/api/users?page=1&page=2', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'invalid email filter', method: 'get', path: () => '/api/users?email=alice', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'patch without a token', method: 'patch', path: () => `/api/users/${alice.id}`, body: { fullName: 'Mallory' }, status: 401, code: 'UNAUTHENTICATED' },
    { name: 'patch with a forged token', method: 'patch', path: () => `/api/users/${alice.id}`, body: { fullName: 'Mallory' }, token: () => 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bad', status: 401, code: 'INVALID_TOKEN' },
    { name: 'patch with an expired token', method: 'patch', path: () => `/api/users/${alice.id}`, body: { fullName: 'Mallory' }, token: () => expiredAliceToken, status: 401, code: 'TOKEN_EXPIRED' },
    { name: "patch of someone else's account", method: 'patch', path: () => `/api/users/${alice.id}`, body: { fullName: 'Mallory' }, token: () => bob.token, status: 403, code: 'FORBIDDEN' },
    { name: 'patch with a malformed id', method: 'patch', path: () => '/api/users/1e3', body: { fullName: 'Mallory' }, token: () => alice.token, status: 400, code: 'INVALID_ID' },
    { name: 'empty patch', method: 'patch', path: () => `/api/users/${alice.id}`, body: {}, token: () => alice.token, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'unknown status', method: 'patch', path: () => `/api/users/${alice.id}`, body: { status: 'deleted' }, token: () => alice.token, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'null field in a patch', method: 'patch', path: () => `/api/users/${alice.id}`, body: { fullName: null }, token: () => alice.token, status: 400, code: 'VALIDATION_FAILED' },
    { name: "patch to another user's email in another case", method: 'patch', path: () => `/api/users/${alice.id}`, body: { email: 'BOB@example.com', fullName: 'Alice B' }, token: () => alice.token, status: 409, code: 'EMAIL_TAKEN' },
    { name: 'patch of a user that does not exist', method: 'patch', path: () => '/api/users/999999', body: { fullName: 'Ghost' }, token: () => ghostToken, status: 404, code: 'USER_NOT_FOUND' },
    { name: 'delete without a token', method: 'delete', path: () => `/api/users/${alice.id}`, status: 401, code: 'UNAUTHENTICATED' },
    { name: "delete of someone else's account", method: 'delete', path: () => `/api/users/${alice.id}`, token: () => bob.token, status: 403, code: 'FORBIDDEN' },
    { name: 'delete with an id beyond INT range', method: 'delete', path: () => '/api/users/2147483648', token: () => alice.token, status: 400, code: 'INVALID_ID' },
    { name: 'delete of a user that does not exist', method: 'delete', path: () => '/api/users/999999', token: () => ghostToken, status: 404, code: 'USER_NOT_FOUND' },
    { name: 'login (stays in the monolith)', method: 'post', path: () => '/api/auth/login', body: { email: 'alice@example.com', password: 'password123' }, status: 404, code: 'ROUTE_NOT_FOUND' },
    { name: 'unknown route', method: 'get', path: () => '/api/nowhere', status: 404, code: 'ROUTE_NOT_FOUND' },
  ];

  it('has a table of at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it('checksums a table that has rows (so an unchanged checksum means something)', async () => {
    expect(await checksum()).toMatch(/accounts=\d+$/);
    expect(await checksum()).not.toMatch(/accounts=0$/);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s → 4xx with an error code, nothing changed', async (_name, c) => {
    const before = await checksum();
    let call = request(t.app)[c.method](c.path());
    if (c.token) call = call.set('authorization', `Bearer ${c.token()}`);
    if (c.raw?.headers) call = call.set(c.raw.headers);
    const response = c.raw ? await call.set('content-type', c.raw.type).send(c.raw.data) : c.body === undefined ? await call : await call.send(c.body as object);
    expect(response.status, JSON.stringify(response.body)).toBe(c.status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toEqual({ error: { code: c.code, message: expect.any(String) } });
    expect(response.body.error.message.length).toBeGreaterThan(0);
    expect(await checksum()).toBe(before);
  });
});
