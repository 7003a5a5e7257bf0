import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, signTestToken, type TestApp } from '../../testing/test-app.js';
import { verifyPassword } from '../auth/password.js';
import { KnexUsersStore } from './users-store.js';

/**
 * The users service must answer exactly like the monolith's users slice (legacy/src/features/users/users.e2e.test.ts
 * is the spec): same paths, statuses, JSON shapes, codes and order of checks. Tokens are signed the way the monolith's
 * login signs them, with its key and issuer.
 */

interface AccountRow {
  id: number;
  legacy_id: number | null;
  email: string;
  email_normalized: string;
  display_name: string;
  password_hash: string;
  status: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_ID = 2_147_483_647;

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp('users_svc_e2e');
});
afterAll(async () => {
  await t.drop();
});

let sequence = 0;
const uniqueEmail = (tag = 'user'): string => `${tag}-${++sequence}@example.com`;
const errorBody = (code: string) => ({ error: { code, message: expect.any(String) } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function row(id: number): Promise<AccountRow | undefined> {
  return (await t.db('accounts').where({ id }).first()) as AccountRow | undefined;
}
async function accountCount(): Promise<number> {
  const [counted] = (await t.db('accounts').count({ n: '*' })) as Array<{ n: number }>;
  return Number(counted?.n);
}
/** The public JSON a stored row must be served as. */
function rowJson(r: AccountRow) {
  return { id: r.id, email: r.email, fullName: r.display_name, status: r.status, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}
/**
 * An id the monolith could hand out next: beyond every id used here. (Projecting an id moves this table's
 * AUTO_INCREMENT past it, so ids created here and ids projected from the monolith would collide if both kept being
 * written — one reason writes stay with the monolith; see README.md.)
 */
async function nextLegacyId(): Promise<number> {
  const [result] = (await t.db('accounts').max({ id: 'id' })) as Array<{ id: number | null }>;
  return (result?.id ?? 0) + 1000;
}
function bearer(token: string): string {
  return `Bearer ${token}`;
}
const tokenFor = (id: number): Promise<string> => signTestToken(id);
const expiredTokenFor = (id: number): Promise<string> => signTestToken(id, { issuedAt: new Date(Date.now() - 3_600_000), ttlSeconds: 60 });

interface Created {
  id: number;
  email: string;
  password: string;
  token: string;
}
async function createUser(overrides: { email?: string; fullName?: string; password?: string } = {}): Promise<Created> {
  const body = { email: uniqueEmail(), fullName: 'Test User', password: 'password123', ...overrides };
  const res = await request(t.app).post('/api/users').send(body);
  expect(res.status).toBe(201);
  const id = res.body.id as number;
  return { id, email: body.email, password: body.password, token: await tokenFor(id) };
}

describe('POST /api/users', () => {
  it('creates the user: 201, the public shape, Location, trimmed fields, a scrypt hash, normalised email and version 1 in the row', async () => {
    const email = uniqueEmail('Create');
    const before = Date.now();
    const res = await request(t.app).post('/api/users').send({ email: `  ${email} `, fullName: '  Ada Lovelace ', password: 'analytical engine' });
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      id: expect.any(Number),
      email,
      fullName: 'Ada Lovelace',
      status: 'active',
      createdAt: expect.stringMatching(ISO_MS),
      updatedAt: expect.stringMatching(ISO_MS),
    });
    expect(res.headers.location).toBe(`/api/users/${res.body.id}`);
    expect(res.body.createdAt).toBe(res.body.updatedAt);
    expect(Date.parse(res.body.createdAt)).toBeGreaterThanOrEqual(before);

    const stored = await row(res.body.id);
    expect(stored && rowJson(stored)).toEqual(res.body);
    expect(stored).toMatchObject({ email, email_normalized: email.toLowerCase(), legacy_id: null, version: 1 });
    expect(stored?.password_hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('analytical engine', stored?.password_hash ?? '')).toBe(true);
    expect(res.text).not.toContain(stored?.password_hash);
    expect(res.text).not.toContain('analytical engine');
    expect(res.text).not.toContain('version');
  });

  it('rejects an email registered in another letter case: 409 EMAIL_TAKEN with the monolith\'s message, nothing stored', async () => {
    const existing = await createUser({ email: uniqueEmail('Case') });
    const count = await accountCount();
    const res = await request(t.app).post('/api/users').send({ email: existing.email.toUpperCase(), fullName: 'Copy', password: 'password123' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'EMAIL_TAKEN', message: 'Email is already registered' } });
    expect(await accountCount()).toBe(count);
  });

  it('lets exactly one of many concurrent sign-ups for the same email win; the rest get 409', async () => {
    const email = uniqueEmail('race');
    const variants = [email, email.toUpperCase(), email, ` ${email}`, email.toUpperCase(), email];
    const responses = await Promise.all(
      variants.map((variant, i) => request(t.app).post('/api/users').send({ email: variant, fullName: `Racer ${i}`, password: 'password123' })),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    for (const r of responses.filter((r) => r.status === 409)) expect(r.body).toEqual(errorBody('EMAIL_TAKEN'));
    expect(await t.db('accounts').where({ email_normalized: email.toLowerCase() }).count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  const valid = { email: 'valid@example.com', fullName: 'Valid', password: 'password123' };
  it.each([
    ['an unknown field', { ...valid, status: 'suspended' }],
    ['a missing email', { fullName: 'Valid', password: 'password123' }],
    ['a missing fullName', { email: 'valid@example.com', password: 'password123' }],
    ['a missing password', { email: 'valid@example.com', fullName: 'Valid' }],
    ['an invalid email', { ...valid, email: 'valid.example.com' }],
    ['an email longer than 254', { ...valid, email: `${'a'.repeat(243)}@example.com` }],
    ['a blank fullName', { ...valid, fullName: '   ' }],
    ['a fullName longer than 200', { ...valid, fullName: 'x'.repeat(201) }],
    ['a password shorter than 8', { ...valid, password: 'short12' }],
    ['a password longer than 128', { ...valid, password: 'p'.repeat(129) }],
    ['a number for fullName', { ...valid, fullName: 12 }],
    ['an array body', [valid]],
  ])('rejects %s: 400 VALIDATION_FAILED, nothing stored', async (_label, body) => {
    const count = await accountCount();
    const res = await request(t.app).post('/api/users').send(body as object);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody('VALIDATION_FAILED'));
    expect(await accountCount()).toBe(count);
  });

  it('names the offending fields in the message, as the monolith does', async () => {
    const res = await request(t.app).post('/api/users').send({ email: 'nope', fullName: 'X', password: 'password123' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^email: /);
  });

  it('rejects a missing body with 400 VALIDATION_FAILED and malformed JSON with 400 MALFORMED_JSON', async () => {
    const count = await accountCount();
    const empty = await request(t.app).post('/api/users');
    expect(empty.status).toBe(400);
    expect(empty.body).toEqual(errorBody('VALIDATION_FAILED'));
    const malformed = await request(t.app).post('/api/users').set('content-type', 'application/json').send('{"email":');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: { code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' } });
    expect(await accountCount()).toBe(count);
  });
});

describe('GET /api/users/:id', () => {
  it('returns the user in the public shape, without the hash or internal columns', async () => {
    const created = await createUser({ fullName: 'Grace Hopper' });
    const res = await request(t.app).get(`/api/users/${created.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: created.id,
      email: created.email,
      fullName: 'Grace Hopper',
      status: 'active',
      createdAt: expect.stringMatching(ISO_MS),
      updatedAt: expect.stringMatching(ISO_MS),
    });
    const stored = await row(created.id);
    expect(stored && rowJson(stored)).toEqual(res.body);
    expect(res.text).not.toContain(stored?.password_hash);
  });

  it('serves an account projected from the monolith under the monolith\'s id, exactly as the monolith would', async () => {
    const createdAt = new Date('2023-06-01T12:00:00.123Z');
    const updatedAt = new Date('2023-07-01T12:00:00.456Z');
    const legacyId = await nextLegacyId();
    await new KnexUsersStore(t.db).upsertFromLegacy({
      legacyId,
      email: 'Projected@Example.com',
      fullName: 'Projected User',
      status: 'suspended',
      passwordHash: 'scrypt$16384$8$1$c2FsdA==$a2V5',
      createdAt,
      updatedAt,
    });
    const res = await request(t.app).get(`/api/users/${legacyId}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: legacyId,
      email: 'Projected@Example.com',
      fullName: 'Projected User',
      status: 'suspended',
      createdAt: createdAt.toISOString(),
      updatedAt: updatedAt.toISOString(),
    });
    const listed = await request(t.app).get('/api/users').query({ email: 'projected@example.COM' });
    expect(listed.body).toEqual({ items: [res.body], page: 1, pageSize: 20, total: 1 });
  });

  it('answers 404 USER_NOT_FOUND for a well-formed unknown id, with the monolith\'s message', async () => {
    const res = await request(t.app).get(`/api/users/${MAX_ID}`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'USER_NOT_FOUND', message: `User ${MAX_ID} not found` } });
  });

  it.each(['abc', '0', '01', '-1', '1.5', '1e3', '%201', '2147483648', '99999999999'])('answers 400 INVALID_ID for /api/users/%s', async (id) => {
    const res = await request(t.app).get(`/api/users/${id}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody('INVALID_ID'));
  });
});

describe('GET /api/users', () => {
  let listed: Created[];
  beforeAll(async () => {
    listed = [];
    for (let i = 0; i < 5; i++) listed.push(await createUser({ email: uniqueEmail('List') }));
  });

  async function storedPage(offset: number, limit: number) {
    const rows = (await t.db('accounts').orderBy('id', 'asc').offset(offset).limit(limit)) as AccountRow[];
    return rows.map(rowJson);
  }

  it('defaults to page 1 of 20, ordered by id, with the total', async () => {
    const res = await request(t.app).get('/api/users');
    expect(res.status).toBe(200);
    const total = await accountCount();
    expect(res.body).toEqual({ items: await storedPage(0, 20), page: 1, pageSize: 20, total });
    expect(res.body.items.length).toBe(Math.min(20, total));
    expect(res.text).not.toContain('scrypt$');
  });

  it('pages with page and pageSize, ignoring unknown parameters', async () => {
    const res = await request(t.app).get('/api/users').query({ page: '2', pageSize: '2', sort: 'email', foo: 'bar' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: await storedPage(2, 2), page: 2, pageSize: 2, total: await accountCount() });
    expect(res.body.items).toHaveLength(2);
    const ids = res.body.items.map((item: { id: number }) => item.id);
    expect(ids[0]).toBeLessThan(ids[1]);
  });

  it('returns an empty page past the end, still with the total', async () => {
    const res = await request(t.app).get('/api/users').query({ page: '1000', pageSize: '100' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [], page: 1000, pageSize: 100, total: await accountCount() });
  });

  it('filters by exact email, case-insensitively and ignoring surrounding spaces (via email_normalized)', async () => {
    const target = listed[2] as Created;
    const stored = await row(target.id);
    const res = await request(t.app).get('/api/users').query({ email: ` ${target.email.toUpperCase()} ` });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: [stored && rowJson(stored)], page: 1, pageSize: 20, total: 1 });

    const prefix = await request(t.app).get('/api/users').query({ email: target.email.replace('.com', '.co') });
    expect(prefix.body).toEqual({ items: [], page: 1, pageSize: 20, total: 0 });
  });

  it.each(['page=0', 'page=-1', 'page=abc', 'page=1.5', 'page=', 'page=1&page=2', 'pageSize=0', 'pageSize=101', 'pageSize=x', 'email=not-an-email', 'email='])(
    'answers 400 VALIDATION_FAILED for ?%s',
    async (query) => {
      const res = await request(t.app).get(`/api/users?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errorBody('VALIDATION_FAILED'));
    },
  );
});

describe('PATCH /api/users/:id', () => {
  it('updates the given fields only, bumps updatedAt and version, keeps createdAt', async () => {
    const user = await createUser({ fullName: 'Old Name' });
    const before = (await row(user.id)) as AccountRow;
    await sleep(5);
    const res = await request(t.app).patch(`/api/users/${user.id}`).set('authorization', bearer(user.token)).send({ fullName: '  New Name ' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: user.id,
      email: user.email,
      fullName: 'New Name',
      status: 'active',
      createdAt: before.created_at.toISOString(),
      updatedAt: expect.stringMatching(ISO_MS),
    });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(before.updated_at.getTime());
    const after = (await row(user.id)) as AccountRow;
    expect(rowJson(after)).toEqual(res.body);
    expect(after).toMatchObject({ password_hash: before.password_hash, display_name: 'New Name', version: before.version + 1 });
    expect(res.text).not.toContain(after.password_hash);
  });

  it('changes email (trimmed, normalised copy kept in step), password and status', async () => {
    const user = await createUser();
    const newEmail = uniqueEmail('Moved');
    const res = await request(t.app)
      .patch(`/api/users/${user.id}`)
      .set('authorization', bearer(user.token))
      .send({ email: ` ${newEmail} `, password: 'brand-new-password', status: 'suspended' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: user.id, email: newEmail, status: 'suspended' });
    const after = (await row(user.id)) as AccountRow;
    expect(after).toMatchObject({ email: newEmail, email_normalized: newEmail.toLowerCase(), status: 'suspended', version: 2 });
    expect(await verifyPassword('brand-new-password', after.password_hash)).toBe(true);
    expect(await verifyPassword(user.password, after.password_hash)).toBe(false);
    // The old address is free again.
    expect((await request(t.app).post('/api/users').send({ email: user.email, fullName: 'Reuse', password: 'password123' })).status).toBe(201);
  });

  it('lets a user re-case their own email', async () => {
    const user = await createUser({ email: uniqueEmail('recase') });
    const res = await request(t.app).patch(`/api/users/${user.id}`).set('authorization', bearer(user.token)).send({ email: user.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.body.email).toBe(user.email.toUpperCase());
    expect(await row(user.id)).toMatchObject({ email: user.email.toUpperCase(), email_normalized: user.email, version: 2 });
  });

  it("answers 409 EMAIL_TAKEN for another user's email in any case, leaving the row unchanged", async () => {
    const owner = await createUser();
    const user = await createUser();
    const before = await row(user.id);
    const res = await request(t.app)
      .patch(`/api/users/${user.id}`)
      .set('authorization', bearer(user.token))
      .send({ email: owner.email.toUpperCase(), fullName: 'Should Not Stick' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual(errorBody('EMAIL_TAKEN'));
    expect(await row(user.id)).toEqual(before);
  });

  it('answers 404 USER_NOT_FOUND for a valid token of a user that does not exist (before any email conflict)', async () => {
    const owner = await createUser();
    const res = await request(t.app).patch(`/api/users/${MAX_ID}`).set('authorization', bearer(await tokenFor(MAX_ID))).send({ email: owner.email });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('USER_NOT_FOUND'));
  });

  describe('authentication and authorization', () => {
    let user: Created;
    let other: Created;
    let before: AccountRow | undefined;
    beforeAll(async () => {
      user = await createUser();
      other = await createUser();
      before = await row(user.id);
    });

    it.each([
      ['no Authorization header', async () => undefined, 'UNAUTHENTICATED'],
      ['a Basic header', async () => 'Basic dXNlcjpwYXNzd29yZA==', 'UNAUTHENTICATED'],
      ['a malformed token', async () => 'Bearer not-a-token', 'INVALID_TOKEN'],
      ['a token signed with another key', async () => bearer(await signTestToken(user.id, { secret: 'not-the-legacy-secret-not-the-legacy-0001' })), 'INVALID_TOKEN'],
      ['a token from another issuer', async () => bearer(await signTestToken(user.id, { issuer: 'someone-else' })), 'INVALID_TOKEN'],
      ['a token whose subject is not a user id', async () => bearer(await signTestToken(user.id, { subject: 'admin' })), 'INVALID_TOKEN'],
      ['an expired token', async () => bearer(await expiredTokenFor(user.id)), 'TOKEN_EXPIRED'],
    ])('answers 401 for %s, leaving the row unchanged', async (_label, header, code) => {
      const authorization = await header();
      const req = request(t.app).patch(`/api/users/${user.id}`);
      if (authorization) req.set('authorization', authorization);
      const res = await req.send({ fullName: 'Intruder' });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(errorBody(code));
      expect(await row(user.id)).toEqual(before);
    });

    it('checks authentication before the id format', async () => {
      const res = await request(t.app).patch('/api/users/abc').send({ fullName: 'X' });
      expect(res.status).toBe(401);
      expect(res.body).toEqual(errorBody('UNAUTHENTICATED'));
    });

    it('answers 400 INVALID_ID for a malformed id once authenticated', async () => {
      const res = await request(t.app).patch('/api/users/0').set('authorization', bearer(user.token)).send({ fullName: 'X' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errorBody('INVALID_ID'));
    });

    it("answers 403 FORBIDDEN for another user's id, before looking at the body, leaving that row unchanged", async () => {
      const otherBefore = await row(other.id);
      const valid = await request(t.app).patch(`/api/users/${other.id}`).set('authorization', bearer(user.token)).send({ fullName: 'Hijacked' });
      expect(valid.status).toBe(403);
      expect(valid.body).toEqual({ error: { code: 'FORBIDDEN', message: 'You may only change your own account' } });
      const invalid = await request(t.app).patch(`/api/users/${other.id}`).set('authorization', bearer(user.token)).send({ nonsense: true });
      expect(invalid.status).toBe(403);
      expect(invalid.body).toEqual(errorBody('FORBIDDEN'));
      expect(await row(other.id)).toEqual(otherBefore);
    });

    it('answers 403 for an id that does not exist when it is not the caller', async () => {
      const res = await request(t.app).patch(`/api/users/${MAX_ID}`).set('authorization', bearer(user.token)).send({ fullName: 'X' });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(errorBody('FORBIDDEN'));
    });

    it('validates the body before existence', async () => {
      const res = await request(t.app).patch(`/api/users/${MAX_ID}`).set('authorization', bearer(await tokenFor(MAX_ID))).send({});
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errorBody('VALIDATION_FAILED'));
    });

    it.each([
      ['an empty object', {}],
      ['an unknown field', { fullName: 'X', createdAt: '2020-01-01T00:00:00.000Z' }],
      ['an unknown status', { status: 'banned' }],
      ['an invalid email', { email: 'nope' }],
      ['a blank fullName', { fullName: '  ' }],
      ['a short password', { password: 'short' }],
      ['a null field', { email: null }],
    ])('answers 400 VALIDATION_FAILED for %s, leaving the row unchanged', async (_label, body) => {
      const res = await request(t.app).patch(`/api/users/${user.id}`).set('authorization', bearer(user.token)).send(body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(errorBody('VALIDATION_FAILED'));
      expect(await row(user.id)).toEqual(before);
    });
  });
});

describe('DELETE /api/users/:id', () => {
  it('deletes the user: 204 with an empty body, row gone, then 404', async () => {
    const user = await createUser();
    const res = await request(t.app).delete(`/api/users/${user.id}`).set('authorization', bearer(user.token));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await row(user.id)).toBeUndefined();
    const again = await request(t.app).get(`/api/users/${user.id}`);
    expect(again.status).toBe(404);
    expect(again.body).toEqual(errorBody('USER_NOT_FOUND'));
  });

  it('has no USER_HAS_ORDERS check (orders live in the monolith): why DELETE stays routed to the monolith for now', async () => {
    // The monolith answers 409 USER_HAS_ORDERS for a user with orders; this service cannot know, so it deletes.
    const user = await createUser();
    const res = await request(t.app).delete(`/api/users/${user.id}`).set('authorization', bearer(user.token));
    expect(res.status).toBe(204);
    expect(await row(user.id)).toBeUndefined();
  });

  it('answers 404 USER_NOT_FOUND for a valid token of a user that does not exist', async () => {
    const res = await request(t.app).delete(`/api/users/${MAX_ID}`).set('authorization', bearer(await tokenFor(MAX_ID)));
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('USER_NOT_FOUND'));
  });

  it('answers 401 without a token and 401 TOKEN_EXPIRED for an expired one, keeping the row', async () => {
    const user = await createUser();
    const none = await request(t.app).delete(`/api/users/${user.id}`);
    expect(none.status).toBe(401);
    expect(none.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Missing bearer token' } });
    const expiredRes = await request(t.app).delete(`/api/users/${user.id}`).set('authorization', bearer(await expiredTokenFor(user.id)));
    expect(expiredRes.status).toBe(401);
    expect(expiredRes.body).toEqual({ error: { code: 'TOKEN_EXPIRED', message: 'Token has expired' } });
    const garbage = await request(t.app).delete(`/api/users/${user.id}`).set('authorization', 'Bearer x.y.z');
    expect(garbage.status).toBe(401);
    expect(garbage.body).toEqual({ error: { code: 'INVALID_TOKEN', message: 'Token is invalid' } });
    expect(await row(user.id)).toBeDefined();
  });

  it('checks authentication before the id format, and the id format before authorization', async () => {
    const user = await createUser();
    const unauthenticated = await request(t.app).delete('/api/users/abc');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body).toEqual(errorBody('UNAUTHENTICATED'));
    const invalid = await request(t.app).delete('/api/users/2147483648').set('authorization', bearer(user.token));
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual(errorBody('INVALID_ID'));
  });

  it("answers 403 FORBIDDEN for another user's id, keeping that row", async () => {
    const user = await createUser();
    const victim = await createUser();
    const res = await request(t.app).delete(`/api/users/${victim.id}`).set('authorization', bearer(user.token));
    expect(res.status).toBe(403);
    expect(res.body).toEqual(errorBody('FORBIDDEN'));
    expect(await row(victim.id)).toBeDefined();
  });

  it('lets a user projected from the monolith act with the token the monolith issued for that id', async () => {
    const legacyId = await nextLegacyId();
    await new KnexUsersStore(t.db).upsertFromLegacy({
      legacyId,
      email: 'projected-delete@example.com',
      fullName: 'Projected',
      status: 'active',
      passwordHash: 'scrypt$x',
      createdAt: new Date('2023-01-01T00:00:00.000Z'),
      updatedAt: new Date('2023-01-01T00:00:00.000Z'),
    });
    const token = await tokenFor(legacyId);
    const patched = await request(t.app).patch(`/api/users/${legacyId}`).set('authorization', bearer(token)).send({ fullName: 'Renamed' });
    expect(patched.status).toBe(200);
    expect(await row(legacyId)).toMatchObject({ display_name: 'Renamed', legacy_id: legacyId, version: 2 });
    const deleted = await request(t.app).delete(`/api/users/${legacyId}`).set('authorization', bearer(token));
    expect(deleted.status).toBe(204);
    expect(await row(legacyId)).toBeUndefined();
  });
});

describe('outside the users slice', () => {
  it.each([
    ['post', '/api/auth/login'],
    ['get', '/api/users/1/orders'],
    ['get', '/api/products'],
  ] as const)('does not serve %s %s (it stays in the monolith): 404 ROUTE_NOT_FOUND', async (method, path) => {
    const res = await request(t.app)[method](path);
    expect(res.status).toBe(404);
    expect(res.body).toEqual(errorBody('ROUTE_NOT_FOUND'));
  });
});
