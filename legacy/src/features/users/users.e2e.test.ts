import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

// What every implementation of the users API must do alike is contracts/src/conformance/users-api.conformance.ts,
// which runs against this app too. Here is only what the monolith alone does: it owns the orders.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp('legacy_users_e2e');
});
afterAll(async () => {
  await t.drop();
});

describe('DELETE /api/users/:id', () => {
  it('answers 409 USER_HAS_ORDERS when orders reference the user, keeping the row', async () => {
    const created = await request(t.app).post('/api/users').send({ email: 'has-orders@example.com', fullName: 'Test User', password: 'password123' });
    expect(created.status).toBe(201);
    const id = created.body.id as number;
    await t.db('orders').insert({ user_id: id, status: 'paid', total_minor: 2599, currency: 'EUR' });
    const before = await t.db('users').where({ id }).first();
    const res = await request(t.app).delete(`/api/users/${id}`).set('authorization', `Bearer ${(await t.services.tokens.issue(id)).token}`);
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: 'USER_HAS_ORDERS', message: expect.any(String) } });
    expect(await t.db('users').where({ id }).first()).toEqual(before);
  });
});
