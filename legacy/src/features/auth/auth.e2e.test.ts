import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const TTL_SECONDS = 3600; // what createTestApp configures

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp('legacy_auth_e2e');
});
afterAll(async () => {
  await t.drop();
});

let sequence = 0;
const uniqueEmail = (tag = 'login'): string => `${tag}-${++sequence}@example.com`;
const errorBody = (code: string) => ({ error: { code, message: expect.any(String) } });

interface UserRow {
  id: number;
  email: string;
  full_name: string;
  password_hash: string;
  status: string;
  created_at: Date;
  updated_at: Date;
}
async function row(id: number): Promise<UserRow> {
  return (await t.db('users').where({ id }).first()) as UserRow;
}

async function signUp(email = uniqueEmail(), password = 'password123'): Promise<{ id: number; email: string; password: string }> {
  const res = await request(t.app).post('/api/users').send({ email, fullName: 'Login Tester', password });
  expect(res.status).toBe(201);
  return { id: res.body.id as number, email, password };
}

function jwtPayload(token: string): { sub: string; iss: string; exp: number; iat: number } {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { sub: string; iss: string; exp: number; iat: number };
}

describe('POST /api/auth/login', () => {
  it('returns a bearer token, its expiry and the user; the token authorizes the user', async () => {
    const user = await signUp(uniqueEmail('Ann'));
    const stored = await row(user.id);
    const before = Date.now();
    const res = await request(t.app).post('/api/auth/login').send({ email: user.email, password: user.password });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/),
      tokenType: 'Bearer',
      expiresAt: expect.stringMatching(ISO_MS),
      user: {
        id: user.id,
        email: user.email,
        fullName: 'Login Tester',
        status: 'active',
        createdAt: stored.created_at.toISOString(),
        updatedAt: stored.updated_at.toISOString(),
      },
    });
    expect(res.text).not.toContain(stored.password_hash);

    const payload = jwtPayload(res.body.token);
    expect(payload).toMatchObject({ sub: String(user.id), iss: 'strangler-legacy' });
    expect(Date.parse(res.body.expiresAt)).toBe(payload.exp * 1000);
    expect(payload.exp - payload.iat).toBe(TTL_SECONDS);
    expect(payload.iat * 1000).toBeGreaterThanOrEqual(before - 1000);
    expect(await t.services.tokens.verify(res.body.token)).toBe(user.id);

    const patch = await request(t.app).patch(`/api/users/${user.id}`).set('authorization', `Bearer ${res.body.token}`).send({ fullName: 'Logged In' });
    expect(patch.status).toBe(200);
  });

  it('accepts the email in any letter case and with surrounding spaces', async () => {
    const user = await signUp(uniqueEmail('Case'));
    const res = await request(t.app).post('/api/auth/login').send({ email: `  ${user.email.toUpperCase()} `, password: user.password });
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(user.id);
  });

  it('does not change the user row', async () => {
    const user = await signUp();
    const before = await row(user.id);
    expect((await request(t.app).post('/api/auth/login').send({ email: user.email, password: user.password })).status).toBe(200);
    expect(await row(user.id)).toEqual(before);
  });

  it('answers a wrong password and an unknown email with the same 401 INVALID_CREDENTIALS', async () => {
    const user = await signUp();
    const wrong = await request(t.app).post('/api/auth/login').send({ email: user.email, password: 'not-the-password' });
    const unknown = await request(t.app).post('/api/auth/login').send({ email: uniqueEmail('nobody'), password: user.password });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(errorBody('INVALID_CREDENTIALS'));
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('answers 403 USER_SUSPENDED for a suspended user with the right password, 401 with a wrong one', async () => {
    const user = await signUp();
    await t.db('users').where({ id: user.id }).update({ status: 'suspended' });
    const right = await request(t.app).post('/api/auth/login').send({ email: user.email, password: user.password });
    expect(right.status).toBe(403);
    expect(right.body).toEqual(errorBody('USER_SUSPENDED'));
    const wrong = await request(t.app).post('/api/auth/login').send({ email: user.email, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(errorBody('INVALID_CREDENTIALS'));
  });

  it('honours a password changed through PATCH', async () => {
    const user = await signUp();
    const login = await request(t.app).post('/api/auth/login').send({ email: user.email, password: user.password });
    const patch = await request(t.app)
      .patch(`/api/users/${user.id}`)
      .set('authorization', `Bearer ${login.body.token}`)
      .send({ password: 'a-brand-new-password' });
    expect(patch.status).toBe(200);
    expect((await request(t.app).post('/api/auth/login').send({ email: user.email, password: 'a-brand-new-password' })).status).toBe(200);
    expect((await request(t.app).post('/api/auth/login').send({ email: user.email, password: user.password })).status).toBe(401);
  });

  it.each([
    ['an unknown field', { email: 'a@example.com', password: 'password123', remember: true }],
    ['a missing email', { password: 'password123' }],
    ['a missing password', { email: 'a@example.com' }],
    ['an empty password', { email: 'a@example.com', password: '' }],
    ['an invalid email', { email: 'not-an-email', password: 'password123' }],
    ['a non-string password', { email: 'a@example.com', password: 12345678 }],
    ['an array body', [{ email: 'a@example.com', password: 'password123' }]],
  ])('answers 400 VALIDATION_FAILED for %s', async (_label, body) => {
    const res = await request(t.app).post('/api/auth/login').send(body as object);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody('VALIDATION_FAILED'));
  });

  it('answers 400 VALIDATION_FAILED without a body', async () => {
    const res = await request(t.app).post('/api/auth/login');
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody('VALIDATION_FAILED'));
  });
});
