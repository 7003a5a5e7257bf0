import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, signTestToken, type TestApp } from '../../testing/test-app.js';
import { legacyUsersProjection } from '../../projection/index.js';

/**
 * The users service must answer exactly like the monolith's users slice: that is
 * contracts/src/conformance/users-api.conformance.ts, run against both. Here is only what the service alone has: the
 * accounts row's own columns (normalised email, legacy link, version), accounts projected from the monolith, and the
 * parts of the monolith it does not serve.
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

async function row(id: number): Promise<AccountRow | undefined> {
  return (await t.db('accounts').where({ id }).first()) as AccountRow | undefined;
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
const bearer = (token: string): string => `Bearer ${token}`;

interface Created {
  id: number;
  email: string;
  token: string;
}
async function createUser(overrides: { email?: string; fullName?: string } = {}): Promise<Created> {
  const body = { email: uniqueEmail(), fullName: 'Test User', password: 'password123', ...overrides };
  const res = await request(t.app).post('/api/users').send(body);
  expect(res.status).toBe(201);
  return { id: res.body.id as number, email: body.email, token: await signTestToken(res.body.id as number) };
}

describe('the accounts row behind the API', () => {
  it('a created account: the normalised email, no legacy link, version 1', async () => {
    const email = uniqueEmail('Create');
    const res = await request(t.app).post('/api/users').send({ email: `  ${email} `, fullName: '  Ada Lovelace ', password: 'analytical engine' });
    expect(res.status).toBe(201);
    expect(await row(res.body.id)).toMatchObject({ email, email_normalized: email.toLowerCase(), legacy_id: null, version: 1 });
  });

  it('a PATCH bumps the version, keeping the hash', async () => {
    const user = await createUser({ fullName: 'Old Name' });
    const before = (await row(user.id)) as AccountRow;
    const res = await request(t.app).patch(`/api/users/${user.id}`).set('authorization', bearer(user.token)).send({ fullName: '  New Name ' });
    expect(res.status).toBe(200);
    expect(await row(user.id)).toMatchObject({ password_hash: before.password_hash, display_name: 'New Name', version: before.version + 1 });
  });

  it('a changed email keeps the normalised copy in step', async () => {
    const user = await createUser();
    const newEmail = uniqueEmail('Moved');
    const res = await request(t.app)
      .patch(`/api/users/${user.id}`)
      .set('authorization', bearer(user.token))
      .send({ email: ` ${newEmail} `, password: 'brand-new-password', status: 'suspended' });
    expect(res.status).toBe(200);
    expect(await row(user.id)).toMatchObject({ email: newEmail, email_normalized: newEmail.toLowerCase(), status: 'suspended', version: 2 });
  });

  it('re-casing the own email keeps the normalised copy', async () => {
    const user = await createUser({ email: uniqueEmail('recase') });
    const res = await request(t.app).patch(`/api/users/${user.id}`).set('authorization', bearer(user.token)).send({ email: user.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(await row(user.id)).toMatchObject({ email: user.email.toUpperCase(), email_normalized: user.email, version: 2 });
  });
});

describe('accounts projected from the monolith', () => {
  it("are served under the monolith's id, exactly as the monolith would", async () => {
    const createdAt = new Date('2023-06-01T12:00:00.123Z');
    const updatedAt = new Date('2023-07-01T12:00:00.456Z');
    const legacyId = await nextLegacyId();
    await legacyUsersProjection(t.db).upsertFromLegacy({
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

  it('act with the token the monolith issued for that id', async () => {
    const legacyId = await nextLegacyId();
    await legacyUsersProjection(t.db).upsertFromLegacy({
      legacyId,
      email: 'projected-delete@example.com',
      fullName: 'Projected',
      status: 'active',
      passwordHash: 'scrypt$x',
      createdAt: new Date('2023-01-01T00:00:00.000Z'),
      updatedAt: new Date('2023-01-01T00:00:00.000Z'),
    });
    const token = await signTestToken(legacyId);
    const patched = await request(t.app).patch(`/api/users/${legacyId}`).set('authorization', bearer(token)).send({ fullName: 'Renamed' });
    expect(patched.status).toBe(200);
    expect(await row(legacyId)).toMatchObject({ display_name: 'Renamed', legacy_id: legacyId, version: 2 });
    const deleted = await request(t.app).delete(`/api/users/${legacyId}`).set('authorization', bearer(token));
    expect(deleted.status).toBe(204);
    expect(await row(legacyId)).toBeUndefined();
  });
});

describe('what stays in the monolith', () => {
  it('has no USER_HAS_ORDERS check (orders live in the monolith): why DELETE stays routed to the monolith for now', async () => {
    // The monolith answers 409 USER_HAS_ORDERS for a user with orders; this service cannot know, so it deletes.
    const user = await createUser();
    const res = await request(t.app).delete(`/api/users/${user.id}`).set('authorization', bearer(user.token));
    expect(res.status).toBe(204);
    expect(await row(user.id)).toBeUndefined();
  });

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
