import type { RequestListener } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '@strangler/platform';
import { signTestToken, type TestTokenOptions } from '@strangler/users-service/testing/test-app';
import { USER_STATES } from '../provider-states.js';
import type { StateHandlers } from '../provider/states/state-params.js';
import type { JwtSettings } from '../provider/stores/seed-values.js';
import type { StoredUser, UsersStorage } from './storage/users-storage.js';

/** One implementation of the users API, as the conformance suite drives it. */
export interface UsersApiUnderTest {
  app: RequestListener;
  /** The users provider states: how the suite gets a token for a user. */
  stateHandlers: StateHandlers;
  /** What it stored, read behind the API. */
  storage: UsersStorage;
  /** The key and issuer it verifies tokens with, to sign the tokens it must refuse. */
  jwt: JwtSettings;
  drop(): Promise<void>;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const MAX_ID = 2_147_483_647;
const errorBody = (code: string) => ({ error: { code, message: expect.any(String) } });
const bearer = (token: string): string => `Bearer ${token}`;

/** Waits until the clock has moved past `instant`, so that a write made now gets a later timestamp. */
async function clockPast(instant: Date): Promise<void> {
  while (Date.now() <= instant.getTime()) await new Promise((resolve) => setTimeout(resolve, 1));
}

interface Created {
  id: number;
  email: string;
  password: string;
  token: string;
}

/**
 * The public users API every implementation of the users slice must serve identically: same paths, statuses, JSON
 * shapes, codes, messages and order of checks; and behind it, what each stored. Users are created through the API,
 * tokens come from the "authenticated as" provider state.
 */
export function describeUsersApiConformance(implementation: string, build: () => Promise<UsersApiUnderTest>): void {
  describe(`users API conformance: ${implementation}`, () => {
    let api: UsersApiUnderTest;
    beforeAll(async () => {
      api = await build();
    });
    afterAll(async () => {
      await api?.drop();
    });

    let sequence = 0;
    const uniqueEmail = (tag = 'user'): string => `${tag}-${++sequence}@example.com`;
    const stored = (id: number): Promise<StoredUser | undefined> => api.storage.user(id);
    const tokenFor = async (id: number): Promise<string> => String((await api.stateHandlers[USER_STATES.authenticatedAs]!({ id }))?.token);
    /** A token as the monolith's login signs them, with this implementation's key and issuer unless told otherwise. */
    const signed = (id: number, options: TestTokenOptions = {}): Promise<string> =>
      signTestToken(id, { secret: api.jwt.secret, issuer: api.jwt.issuer, ...options });
    const expiredTokenFor = (id: number): Promise<string> => signed(id, { issuedAt: new Date(Date.now() - 3_600_000), ttlSeconds: 60 });

    async function createUser(overrides: { email?: string; fullName?: string; password?: string } = {}): Promise<Created> {
      const body = { email: uniqueEmail(), fullName: 'Test User', password: 'password123', ...overrides };
      const res = await request(api.app).post('/api/users').send(body);
      expect(res.status).toBe(201);
      const id = res.body.id as number;
      return { id, email: body.email, password: body.password, token: await tokenFor(id) };
    }

    describe('POST /api/users', () => {
      it('creates the user: 201, the public shape, Location, trimmed fields, a scrypt hash of the password in the row', async () => {
        const email = uniqueEmail('Create');
        const before = Date.now();
        const res = await request(api.app).post('/api/users').send({ email: `  ${email} `, fullName: '  Ada Lovelace ', password: 'analytical engine' });
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

        const row = await stored(res.body.id);
        expect(row?.json).toEqual(res.body);
        expect(row?.passwordHash).toMatch(/^scrypt\$16384\$8\$1\$/);
        expect(await verifyPassword('analytical engine', row?.passwordHash ?? '')).toBe(true);
        expect(res.text).not.toContain(row?.passwordHash);
        expect(res.text).not.toContain('analytical engine');
        expect(res.text).not.toContain('version');
      });

      it("rejects an email registered in another letter case: 409 EMAIL_TAKEN with the monolith's message, nothing stored", async () => {
        const existing = await createUser({ email: uniqueEmail('Case') });
        const count = await api.storage.count();
        const res = await request(api.app).post('/api/users').send({ email: existing.email.toUpperCase(), fullName: 'Copy', password: 'password123' });
        expect(res.status).toBe(409);
        expect(res.body).toEqual({ error: { code: 'EMAIL_TAKEN', message: 'Email is already registered' } });
        expect(await api.storage.count()).toBe(count);
      });

      it('lets exactly one of many concurrent sign-ups for the same email win; the rest get 409', async () => {
        const email = uniqueEmail('race');
        const variants = [email, email.toUpperCase(), email, ` ${email}`, email.toUpperCase(), email];
        const responses = await Promise.all(
          variants.map((variant, i) => request(api.app).post('/api/users').send({ email: variant, fullName: `Racer ${i}`, password: 'password123' })),
        );
        expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
        for (const r of responses.filter((r) => r.status === 409)) expect(r.body).toEqual(errorBody('EMAIL_TAKEN'));
        expect(await api.storage.countWithEmail(email)).toBe(1);
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
        const count = await api.storage.count();
        const res = await request(api.app).post('/api/users').send(body as object);
        expect(res.status).toBe(400);
        expect(res.body).toEqual(errorBody('VALIDATION_FAILED'));
        expect(await api.storage.count()).toBe(count);
      });

      it('names the offending fields in the message', async () => {
        const res = await request(api.app).post('/api/users').send({ email: 'nope', fullName: 'X', password: 'password123' });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(/^email: /);
      });

      it('rejects a missing body with 400 VALIDATION_FAILED and malformed JSON with 400 MALFORMED_JSON', async () => {
        const count = await api.storage.count();
        const empty = await request(api.app).post('/api/users');
        expect(empty.status).toBe(400);
        expect(empty.body).toEqual(errorBody('VALIDATION_FAILED'));
        const malformed = await request(api.app).post('/api/users').set('content-type', 'application/json').send('{"email":');
        expect(malformed.status).toBe(400);
        expect(malformed.body).toEqual({ error: { code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' } });
        expect(await api.storage.count()).toBe(count);
      });
    });

    describe('GET /api/users/:id', () => {
      it('returns the user in the public shape, without the hash or internal columns', async () => {
        const created = await createUser({ fullName: 'Grace Hopper' });
        const res = await request(api.app).get(`/api/users/${created.id}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          id: created.id,
          email: created.email,
          fullName: 'Grace Hopper',
          status: 'active',
          createdAt: expect.stringMatching(ISO_MS),
          updatedAt: expect.stringMatching(ISO_MS),
        });
        const row = await stored(created.id);
        expect(row?.json).toEqual(res.body);
        expect(res.text).not.toContain(row?.passwordHash);
      });

      it("answers 404 USER_NOT_FOUND for a well-formed unknown id, with the monolith's message", async () => {
        const res = await request(api.app).get(`/api/users/${MAX_ID}`);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ error: { code: 'USER_NOT_FOUND', message: `User ${MAX_ID} not found` } });
      });

      it.each(['abc', '0', '01', '-1', '1.5', '1e3', '%201', '2147483648', '99999999999'])('answers 400 INVALID_ID for /api/users/%s', async (id) => {
        const res = await request(api.app).get(`/api/users/${id}`);
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

      it('defaults to page 1 of 20, ordered by id, with the total', async () => {
        const res = await request(api.app).get('/api/users');
        expect(res.status).toBe(200);
        const total = await api.storage.count();
        expect(res.body).toEqual({ items: await api.storage.page(0, 20), page: 1, pageSize: 20, total });
        expect(res.body.items.length).toBe(Math.min(20, total));
        expect(res.text).not.toContain('scrypt$');
      });

      it('pages with page and pageSize, ignoring unknown parameters', async () => {
        const res = await request(api.app).get('/api/users').query({ page: '2', pageSize: '2', sort: 'email', foo: 'bar' });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ items: await api.storage.page(2, 2), page: 2, pageSize: 2, total: await api.storage.count() });
        expect(res.body.items).toHaveLength(2);
        const ids = res.body.items.map((item: { id: number }) => item.id);
        expect(ids[0]).toBeLessThan(ids[1]);
      });

      it('returns an empty page past the end, still with the total', async () => {
        const res = await request(api.app).get('/api/users').query({ page: '1000', pageSize: '100' });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ items: [], page: 1000, pageSize: 100, total: await api.storage.count() });
      });

      it('filters by exact email, case-insensitively and ignoring surrounding spaces', async () => {
        const target = listed[2] as Created;
        const row = await stored(target.id);
        const res = await request(api.app).get('/api/users').query({ email: ` ${target.email.toUpperCase()} ` });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ items: [row?.json], page: 1, pageSize: 20, total: 1 });

        const prefix = await request(api.app).get('/api/users').query({ email: target.email.replace('.com', '.co') });
        expect(prefix.body).toEqual({ items: [], page: 1, pageSize: 20, total: 0 });
      });

      it.each(['page=0', 'page=-1', 'page=abc', 'page=1.5', 'page=', 'page=1&page=2', 'pageSize=0', 'pageSize=101', 'pageSize=x', 'email=not-an-email', 'email='])(
        'answers 400 VALIDATION_FAILED for ?%s',
        async (query) => {
          const res = await request(api.app).get(`/api/users?${query}`);
          expect(res.status).toBe(400);
          expect(res.body).toEqual(errorBody('VALIDATION_FAILED'));
        },
      );
    });

    describe('PATCH /api/users/:id', () => {
      it('updates the given fields only, bumps updatedAt and keeps createdAt', async () => {
        const user = await createUser({ fullName: 'Old Name' });
        const before = (await stored(user.id)) as StoredUser;
        await clockPast(new Date(before.json.updatedAt));
        const res = await request(api.app).patch(`/api/users/${user.id}`).set('authorization', bearer(user.token)).send({ fullName: '  New Name ' });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          id: user.id,
          email: user.email,
          fullName: 'New Name',
          status: 'active',
          createdAt: before.json.createdAt,
          updatedAt: expect.stringMatching(ISO_MS),
        });
        expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(before.json.updatedAt));
        const after = (await stored(user.id)) as StoredUser;
        expect(after.json).toEqual(res.body);
        expect(after.passwordHash).toBe(before.passwordHash);
        expect(res.text).not.toContain(after.passwordHash);
      });

      it('changes email (trimmed), password and status; the old address is free again', async () => {
        const user = await createUser();
        const newEmail = uniqueEmail('Moved');
        const res = await request(api.app)
          .patch(`/api/users/${user.id}`)
          .set('authorization', bearer(user.token))
          .send({ email: ` ${newEmail} `, password: 'brand-new-password', status: 'suspended' });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id: user.id, email: newEmail, status: 'suspended' });
        const after = (await stored(user.id)) as StoredUser;
        expect(after.json).toMatchObject({ email: newEmail, status: 'suspended' });
        expect(await verifyPassword('brand-new-password', after.passwordHash)).toBe(true);
        expect(await verifyPassword(user.password, after.passwordHash)).toBe(false);
        expect((await request(api.app).post('/api/users').send({ email: user.email, fullName: 'Reuse', password: 'password123' })).status).toBe(201);
      });

      it('lets a user re-case their own email', async () => {
        const user = await createUser({ email: uniqueEmail('recase') });
        const res = await request(api.app).patch(`/api/users/${user.id}`).set('authorization', bearer(user.token)).send({ email: user.email.toUpperCase() });
        expect(res.status).toBe(200);
        expect(res.body.email).toBe(user.email.toUpperCase());
        expect((await stored(user.id))?.json).toMatchObject({ email: user.email.toUpperCase() });
      });

      it("answers 409 EMAIL_TAKEN for another user's email in any case, leaving the row unchanged", async () => {
        const owner = await createUser();
        const user = await createUser();
        const before = await stored(user.id);
        const res = await request(api.app)
          .patch(`/api/users/${user.id}`)
          .set('authorization', bearer(user.token))
          .send({ email: owner.email.toUpperCase(), fullName: 'Should Not Stick' });
        expect(res.status).toBe(409);
        expect(res.body).toEqual(errorBody('EMAIL_TAKEN'));
        expect(await stored(user.id)).toEqual(before);
      });

      it('answers 404 USER_NOT_FOUND for a valid token of a user that does not exist (before any email conflict)', async () => {
        const owner = await createUser();
        const res = await request(api.app).patch(`/api/users/${MAX_ID}`).set('authorization', bearer(await tokenFor(MAX_ID))).send({ email: owner.email });
        expect(res.status).toBe(404);
        expect(res.body).toEqual(errorBody('USER_NOT_FOUND'));
      });

      describe('authentication and authorization', () => {
        let user: Created;
        let other: Created;
        let before: StoredUser | undefined;
        beforeAll(async () => {
          user = await createUser();
          other = await createUser();
          before = await stored(user.id);
        });

        it.each([
          ['no Authorization header', async () => undefined, 'UNAUTHENTICATED'],
          ['a Basic header', async () => 'Basic dXNlcjpwYXNzd29yZA==', 'UNAUTHENTICATED'],
          ['a malformed token', async () => 'Bearer not-a-token', 'INVALID_TOKEN'],
          ['a token signed with another key', async () => bearer(await signed(user.id, { secret: 'not-the-legacy-secret-not-the-legacy-0001' })), 'INVALID_TOKEN'],
          ['a token from another issuer', async () => bearer(await signed(user.id, { issuer: 'someone-else' })), 'INVALID_TOKEN'],
          ['a token whose subject is not a user id', async () => bearer(await signed(user.id, { subject: 'admin' })), 'INVALID_TOKEN'],
          ['an expired token', async () => bearer(await expiredTokenFor(user.id)), 'TOKEN_EXPIRED'],
        ])('answers 401 for %s, leaving the row unchanged', async (_label, header, code) => {
          const authorization = await header();
          const req = request(api.app).patch(`/api/users/${user.id}`);
          if (authorization) req.set('authorization', authorization);
          const res = await req.send({ fullName: 'Intruder' });
          expect(res.status).toBe(401);
          expect(res.body).toEqual(errorBody(code));
          expect(await stored(user.id)).toEqual(before);
        });

        it('checks authentication before the id format', async () => {
          const res = await request(api.app).patch('/api/users/abc').send({ fullName: 'X' });
          expect(res.status).toBe(401);
          expect(res.body).toEqual(errorBody('UNAUTHENTICATED'));
        });

        it('answers 400 INVALID_ID for a malformed id once authenticated', async () => {
          const res = await request(api.app).patch('/api/users/0').set('authorization', bearer(user.token)).send({ fullName: 'X' });
          expect(res.status).toBe(400);
          expect(res.body).toEqual(errorBody('INVALID_ID'));
        });

        it("answers 403 FORBIDDEN for another user's id, before looking at the body, leaving that row unchanged", async () => {
          const otherBefore = await stored(other.id);
          const valid = await request(api.app).patch(`/api/users/${other.id}`).set('authorization', bearer(user.token)).send({ fullName: 'Hijacked' });
          expect(valid.status).toBe(403);
          expect(valid.body).toEqual({ error: { code: 'FORBIDDEN', message: 'You may only change your own account' } });
          const invalid = await request(api.app).patch(`/api/users/${other.id}`).set('authorization', bearer(user.token)).send({ nonsense: true });
          expect(invalid.status).toBe(403);
          expect(invalid.body).toEqual(errorBody('FORBIDDEN'));
          expect(await stored(other.id)).toEqual(otherBefore);
        });

        it('answers 403 for an id that does not exist when it is not the caller', async () => {
          const res = await request(api.app).patch(`/api/users/${MAX_ID}`).set('authorization', bearer(user.token)).send({ fullName: 'X' });
          expect(res.status).toBe(403);
          expect(res.body).toEqual(errorBody('FORBIDDEN'));
        });

        it('validates the body before existence', async () => {
          const res = await request(api.app).patch(`/api/users/${MAX_ID}`).set('authorization', bearer(await tokenFor(MAX_ID))).send({});
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
          const res = await request(api.app).patch(`/api/users/${user.id}`).set('authorization', bearer(user.token)).send(body);
          expect(res.status).toBe(400);
          expect(res.body).toEqual(errorBody('VALIDATION_FAILED'));
          expect(await stored(user.id)).toEqual(before);
        });
      });
    });

    describe('DELETE /api/users/:id', () => {
      it('deletes the user: 204 with an empty body, row gone, then 404', async () => {
        const user = await createUser();
        const res = await request(api.app).delete(`/api/users/${user.id}`).set('authorization', bearer(user.token));
        expect(res.status).toBe(204);
        expect(res.text).toBe('');
        expect(await stored(user.id)).toBeUndefined();
        const again = await request(api.app).get(`/api/users/${user.id}`);
        expect(again.status).toBe(404);
        expect(again.body).toEqual(errorBody('USER_NOT_FOUND'));
      });

      it('answers 404 USER_NOT_FOUND for a valid token of a user that does not exist', async () => {
        const res = await request(api.app).delete(`/api/users/${MAX_ID}`).set('authorization', bearer(await tokenFor(MAX_ID)));
        expect(res.status).toBe(404);
        expect(res.body).toEqual(errorBody('USER_NOT_FOUND'));
      });

      it('answers 401 without a token and 401 TOKEN_EXPIRED for an expired one, keeping the row', async () => {
        const user = await createUser();
        const none = await request(api.app).delete(`/api/users/${user.id}`);
        expect(none.status).toBe(401);
        expect(none.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'Missing bearer token' } });
        const expiredRes = await request(api.app).delete(`/api/users/${user.id}`).set('authorization', bearer(await expiredTokenFor(user.id)));
        expect(expiredRes.status).toBe(401);
        expect(expiredRes.body).toEqual({ error: { code: 'TOKEN_EXPIRED', message: 'Token has expired' } });
        const garbage = await request(api.app).delete(`/api/users/${user.id}`).set('authorization', 'Bearer x.y.z');
        expect(garbage.status).toBe(401);
        expect(garbage.body).toEqual({ error: { code: 'INVALID_TOKEN', message: 'Token is invalid' } });
        expect(await stored(user.id)).toBeDefined();
      });

      it('checks authentication before the id format, and the id format before authorization', async () => {
        const user = await createUser();
        const unauthenticated = await request(api.app).delete('/api/users/abc');
        expect(unauthenticated.status).toBe(401);
        expect(unauthenticated.body).toEqual(errorBody('UNAUTHENTICATED'));
        const invalid = await request(api.app).delete('/api/users/2147483648').set('authorization', bearer(user.token));
        expect(invalid.status).toBe(400);
        expect(invalid.body).toEqual(errorBody('INVALID_ID'));
      });

      it("answers 403 FORBIDDEN for another user's id, keeping that row", async () => {
        const user = await createUser();
        const victim = await createUser();
        const res = await request(api.app).delete(`/api/users/${victim.id}`).set('authorization', bearer(user.token));
        expect(res.status).toBe(403);
        expect(res.body).toEqual(errorBody('FORBIDDEN'));
        expect(await stored(victim.id)).toBeDefined();
      });
    });
  });
}
