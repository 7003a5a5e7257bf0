import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

interface Caller {
  id: number;
  auth: string;
}

describe('orders API (e2e)', () => {
  let t: TestApp;
  let alice: Caller;
  let bob: Caller;
  let kettle: number; // 2500 EUR, quantity 5
  let mug: number; // 900 EUR, quantity 3, reserved 1
  let dollarCup: number; // 700 USD, quantity 10
  let retired: number; // inactive, quantity 10

  beforeAll(async () => {
    t = await createTestApp('legacy_orders');
  });
  afterAll(async () => {
    await t.drop();
  });

  async function createUser(email: string): Promise<Caller> {
    const [id] = await t.db('users').insert({ email, full_name: email, password_hash: 'not-a-real-hash' });
    return { id: id as number, auth: `Bearer ${(await t.services.tokens.issue(id as number)).token}` };
  }

  async function createProduct(sku: string, priceMinor: number, currency: string, quantity: number, reserved = 0, active = true): Promise<number> {
    const [id] = await t.db('products').insert({ sku, name: sku, description: '', price_minor: priceMinor, currency, active });
    await t.db('inventory').insert({ product_id: id, quantity, reserved });
    return id as number;
  }

  beforeEach(async () => {
    await t.db('order_items').delete();
    await t.db('orders').delete();
    await t.db('inventory').delete();
    await t.db('products').delete();
    await t.db('users').delete();
    alice = await createUser('alice@example.com');
    bob = await createUser('bob@example.com');
    kettle = await createProduct('KETTLE', 2500, 'EUR', 5);
    mug = await createProduct('MUG', 900, 'EUR', 3, 1);
    dollarCup = await createProduct('CUP-USD', 700, 'USD', 10);
    retired = await createProduct('RETIRED', 100, 'EUR', 10, 0, false);
  });

  /** Everything an order request may touch, to prove refused requests change nothing. */
  async function snapshot(): Promise<unknown> {
    return {
      orders: await t.db('orders').select().orderBy('id'),
      items: await t.db('order_items').select().orderBy('id'),
      inventory: await t.db('inventory').select().orderBy('product_id'),
    };
  }

  async function stock(productId: number): Promise<{ quantity: number; reserved: number }> {
    return t.db('inventory').select('quantity', 'reserved').where({ product_id: productId }).first();
  }

  function expectError(response: request.Response, status: number, code: string): void {
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
  }

  async function place(caller: Caller, items: Array<{ productId: number; quantity: number }>): Promise<Record<string, unknown> & { id: number }> {
    const response = await request(t.app).post('/api/orders').set('authorization', caller.auth).send({ items });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: number };
  }

  describe('POST /api/orders', () => {
    it('places the order at current prices, reserves the stock → 201, exact shape, Location', async () => {
      await t.db('products').where({ id: kettle }).update({ price_minor: 2400 }); // the price at order time counts
      const response = await request(t.app)
        .post('/api/orders')
        .set('authorization', alice.auth)
        .send({ items: [{ productId: mug, quantity: 2 }, { productId: kettle, quantity: 3 }] });
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      const id = response.body.id as number;
      expect(response.headers.location).toBe(`/api/orders/${id}`);
      expect(response.body).toEqual({
        id: expect.any(Number),
        userId: alice.id,
        status: 'pending',
        items: [
          { productId: mug, quantity: 2, unitPrice: { amountMinor: 900, currency: 'EUR' } },
          { productId: kettle, quantity: 3, unitPrice: { amountMinor: 2400, currency: 'EUR' } },
        ],
        total: { amountMinor: 2 * 900 + 3 * 2400, currency: 'EUR' },
        createdAt: expect.stringMatching(ISO_MS),
        updatedAt: response.body.createdAt,
      });
      const row = await t.db('orders').where({ id }).first();
      expect(row).toMatchObject({ user_id: alice.id, status: 'pending', total_minor: 9000, currency: 'EUR' });
      expect((row.created_at as Date).toISOString()).toBe(response.body.createdAt);
      expect(await t.db('order_items').select('product_id', 'quantity', 'unit_price_minor').where({ order_id: id }).orderBy('id')).toEqual([
        { product_id: mug, quantity: 2, unit_price_minor: 900 },
        { product_id: kettle, quantity: 3, unit_price_minor: 2400 },
      ]);
      expect(await stock(kettle)).toEqual({ quantity: 5, reserved: 3 });
      expect(await stock(mug)).toEqual({ quantity: 3, reserved: 3 });
    });

    it('sells exactly what is available', async () => {
      await place(bob, [{ productId: kettle, quantity: 5 }]);
      expect(await stock(kettle)).toEqual({ quantity: 5, reserved: 5 });
      expectError(
        await request(t.app).post('/api/orders').set('authorization', bob.auth).send({ items: [{ productId: kettle, quantity: 1 }] }),
        409,
        'INSUFFICIENT_STOCK',
      );
    });

    it.each([
      ['no header', undefined, 'UNAUTHENTICATED'],
      ['a non-bearer scheme', 'Basic YWxpY2U6cGFzcw==', 'UNAUTHENTICATED'],
      ['a forged token', 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bad', 'INVALID_TOKEN'],
    ])('401 with %s, even for a bad body; nothing changed', async (_name, header, code) => {
      const before = await snapshot();
      const call = request(t.app).post('/api/orders');
      if (header) void call.set('authorization', header);
      expectError(await call.send({ items: [] }), 401, code);
      expect(await snapshot()).toEqual(before);
    });

    it.each([
      ['no items', { items: [] }],
      ['quantity 0', { items: [{ productId: 1, quantity: 0 }] }],
      ['quantity 1001', { items: [{ productId: 1, quantity: 1001 }] }],
      ['51 items', { items: Array.from({ length: 51 }, (_, i) => ({ productId: i + 1, quantity: 1 })) }],
      ['productId as string', { items: [{ productId: '1', quantity: 1 }] }],
      ['an unknown item field', { items: [{ productId: 1, quantity: 1, unitPrice: 1 }] }],
      ['an unknown field', { items: [{ productId: 1, quantity: 1 }], userId: 1 }],
      ['no items field', {}],
    ])('400 VALIDATION_FAILED for %s; nothing changed', async (_name, body) => {
      const before = await snapshot();
      expectError(await request(t.app).post('/api/orders').set('authorization', alice.auth).send(body), 400, 'VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });

    it('400 DUPLICATE_PRODUCT for a product named twice; nothing changed', async () => {
      const before = await snapshot();
      const response = await request(t.app)
        .post('/api/orders')
        .set('authorization', alice.auth)
        .send({ items: [{ productId: kettle, quantity: 1 }, { productId: mug, quantity: 1 }, { productId: kettle, quantity: 2 }] });
      expectError(response, 400, 'DUPLICATE_PRODUCT');
      expect(await snapshot()).toEqual(before);
    });

    it('404 USER_NOT_FOUND for a valid token whose user row is gone; body errors come first', async () => {
      const ghost = `Bearer ${(await t.services.tokens.issue(2_000_000)).token}`;
      const before = await snapshot();
      expectError(await request(t.app).post('/api/orders').set('authorization', ghost).send({ items: [{ productId: kettle, quantity: 1 }] }), 404, 'USER_NOT_FOUND');
      expectError(await request(t.app).post('/api/orders').set('authorization', ghost).send({ items: [] }), 400, 'VALIDATION_FAILED');
      expect(await snapshot()).toEqual(before);
    });

    it('404 PRODUCT_NOT_FOUND for an unknown product; nothing changed', async () => {
      const before = await snapshot();
      const response = await request(t.app)
        .post('/api/orders')
        .set('authorization', alice.auth)
        .send({ items: [{ productId: kettle, quantity: 1 }, { productId: 2_000_000, quantity: 1 }] });
      expectError(response, 404, 'PRODUCT_NOT_FOUND');
      expect(await snapshot()).toEqual(before);
    });

    it('409 PRODUCT_INACTIVE for a product not for sale; nothing changed', async () => {
      const before = await snapshot();
      const response = await request(t.app)
        .post('/api/orders')
        .set('authorization', alice.auth)
        .send({ items: [{ productId: kettle, quantity: 1 }, { productId: retired, quantity: 1 }] });
      expectError(response, 409, 'PRODUCT_INACTIVE');
      expect(await snapshot()).toEqual(before);
    });

    it('409 CURRENCY_MISMATCH for products in different currencies; nothing changed', async () => {
      const before = await snapshot();
      const response = await request(t.app)
        .post('/api/orders')
        .set('authorization', alice.auth)
        .send({ items: [{ productId: kettle, quantity: 1 }, { productId: dollarCup, quantity: 1 }] });
      expectError(response, 409, 'CURRENCY_MISMATCH');
      expect(await snapshot()).toEqual(before);
    });

    it('409 INSUFFICIENT_STOCK counts reserved units; nothing changed (not even the item that fits)', async () => {
      const before = await snapshot();
      // mug: quantity 3, reserved 1 → 2 available.
      const response = await request(t.app)
        .post('/api/orders')
        .set('authorization', alice.auth)
        .send({ items: [{ productId: kettle, quantity: 1 }, { productId: mug, quantity: 3 }] });
      expectError(response, 409, 'INSUFFICIENT_STOCK');
      expect(await snapshot()).toEqual(before);
    });

    it('409 INSUFFICIENT_STOCK for a product without an inventory row', async () => {
      const [bare] = await t.db('products').insert({ sku: 'BARE', name: 'Bare', description: '', price_minor: 1, currency: 'EUR' });
      const before = await snapshot();
      expectError(
        await request(t.app).post('/api/orders').set('authorization', alice.auth).send({ items: [{ productId: bare, quantity: 1 }] }),
        409,
        'INSUFFICIENT_STOCK',
      );
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('GET /api/orders/:id', () => {
    it("returns the caller's order → 200, as placed", async () => {
      const placed = await place(alice, [{ productId: kettle, quantity: 1 }]);
      const response = await request(t.app).get(`/api/orders/${placed.id}`).set('authorization', alice.auth);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(placed);
    });

    it("404 ORDER_NOT_FOUND for someone else's order and for a missing one", async () => {
      const placed = await place(alice, [{ productId: kettle, quantity: 1 }]);
      expectError(await request(t.app).get(`/api/orders/${placed.id}`).set('authorization', bob.auth), 404, 'ORDER_NOT_FOUND');
      expectError(await request(t.app).get('/api/orders/2147483647').set('authorization', alice.auth), 404, 'ORDER_NOT_FOUND');
    });

    it('401 without a token (before the id is looked at); 400 INVALID_ID', async () => {
      expectError(await request(t.app).get('/api/orders/abc'), 401, 'UNAUTHENTICATED');
      expectError(await request(t.app).get('/api/orders/1'), 401, 'UNAUTHENTICATED');
      for (const id of ['abc', '0', '01', '2147483648']) {
        expectError(await request(t.app).get(`/api/orders/${id}`).set('authorization', alice.auth), 400, 'INVALID_ID');
      }
    });
  });

  describe('GET /api/users/:id/orders', () => {
    it("lists the caller's orders newest first, with their items → 200", async () => {
      const first = await place(alice, [{ productId: kettle, quantity: 1 }, { productId: mug, quantity: 1 }]);
      await place(bob, [{ productId: kettle, quantity: 1 }]);
      const second = await place(alice, [{ productId: dollarCup, quantity: 4 }]);
      const response = await request(t.app).get(`/api/users/${alice.id}/orders`).set('authorization', alice.auth);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [second, first], page: 1, pageSize: 20, total: 2 });
    });

    it('pages (unknown parameters ignored); total counts all the user’s orders', async () => {
      const placed = [];
      for (let i = 0; i < 3; i++) placed.push(await place(alice, [{ productId: dollarCup, quantity: 1 }]));
      const response = await request(t.app).get(`/api/users/${alice.id}/orders?page=2&pageSize=2&status=paid`).set('authorization', alice.auth);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [placed[0]], page: 2, pageSize: 2, total: 3 });
    });

    it('shows the status as it is now', async () => {
      const placed = await place(alice, [{ productId: kettle, quantity: 1 }]);
      await t.db('orders').where({ id: placed.id }).update({ status: 'shipped' });
      const response = await request(t.app).get(`/api/users/${alice.id}/orders`).set('authorization', alice.auth);
      expect(response.body.items).toEqual([{ ...placed, status: 'shipped' }]);
    });

    it('an empty page for a user without orders', async () => {
      const response = await request(t.app).get(`/api/users/${bob.id}/orders`).set('authorization', bob.auth);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ items: [], page: 1, pageSize: 20, total: 0 });
    });

    it('401 without a token, before anything else', async () => {
      expectError(await request(t.app).get(`/api/users/${alice.id}/orders`), 401, 'UNAUTHENTICATED');
      expectError(await request(t.app).get('/api/users/abc/orders'), 401, 'UNAUTHENTICATED');
    });

    it('400 INVALID_ID and 400 VALIDATION_FAILED for bad paging', async () => {
      expectError(await request(t.app).get('/api/users/0/orders').set('authorization', alice.auth), 400, 'INVALID_ID');
      expectError(await request(t.app).get('/api/users/99999999999/orders').set('authorization', alice.auth), 400, 'INVALID_ID');
      for (const query of ['page=0', 'pageSize=101', 'page=x']) {
        expectError(await request(t.app).get(`/api/users/${alice.id}/orders?${query}`).set('authorization', alice.auth), 400, 'VALIDATION_FAILED');
      }
    });

    it("403 FORBIDDEN for another user's orders (existing or not)", async () => {
      await place(alice, [{ productId: kettle, quantity: 1 }]);
      expectError(await request(t.app).get(`/api/users/${alice.id}/orders`).set('authorization', bob.auth), 403, 'FORBIDDEN');
      expectError(await request(t.app).get('/api/users/2000000/orders').set('authorization', bob.auth), 403, 'FORBIDDEN');
    });

    it('404 USER_NOT_FOUND when the caller’s user row is gone', async () => {
      await t.db('users').where({ id: bob.id }).delete();
      expectError(await request(t.app).get(`/api/users/${bob.id}/orders`).set('authorization', bob.auth), 404, 'USER_NOT_FOUND');
    });

    it('does not answer other paths under /api/users', async () => {
      expectError(await request(t.app).get(`/api/users/${alice.id}/orderz`), 404, 'ROUTE_NOT_FOUND');
      expectError(await request(t.app).post(`/api/users/${alice.id}/orders`).set('authorization', alice.auth).send({}), 404, 'ROUTE_NOT_FOUND');
    });
  });

  describe('POST /api/orders/:id/cancel', () => {
    it.each(['pending', 'paid'] as const)('cancels a %s order and releases its stock → 200', async (status) => {
      const placed = await place(alice, [{ productId: kettle, quantity: 2 }, { productId: mug, quantity: 1 }]);
      await t.db('orders').where({ id: placed.id }).update({ status, updated_at: new Date('2020-01-01T00:00:00Z') });
      expect(await stock(kettle)).toEqual({ quantity: 5, reserved: 2 });
      const response = await request(t.app).post(`/api/orders/${placed.id}/cancel`).set('authorization', alice.auth);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toEqual({ ...placed, status: 'cancelled', updatedAt: expect.stringMatching(ISO_MS) });
      expect(Date.parse(response.body.updatedAt as string)).toBeGreaterThan(Date.parse('2024-01-01T00:00:00Z'));
      const row = await t.db('orders').where({ id: placed.id }).first();
      expect(row.status).toBe('cancelled');
      expect((row.updated_at as Date).toISOString()).toBe(response.body.updatedAt);
      expect(await stock(kettle)).toEqual({ quantity: 5, reserved: 0 });
      expect(await stock(mug)).toEqual({ quantity: 3, reserved: 1 });
      // Still readable by its owner, now cancelled.
      expect((await request(t.app).get(`/api/orders/${placed.id}`).set('authorization', alice.auth)).body).toEqual(response.body);
    });

    it.each(['shipped', 'cancelled'] as const)('409 ILLEGAL_STATUS_TRANSITION for a %s order; nothing changed', async (status) => {
      const placed = await place(alice, [{ productId: kettle, quantity: 2 }]);
      await t.db('orders').where({ id: placed.id }).update({ status });
      const before = await snapshot();
      expectError(await request(t.app).post(`/api/orders/${placed.id}/cancel`).set('authorization', alice.auth), 409, 'ILLEGAL_STATUS_TRANSITION');
      expect(await snapshot()).toEqual(before);
    });

    it('releases the stock once when cancelled twice', async () => {
      const placed = await place(alice, [{ productId: mug, quantity: 2 }]);
      expect((await request(t.app).post(`/api/orders/${placed.id}/cancel`).set('authorization', alice.auth)).status).toBe(200);
      expectError(await request(t.app).post(`/api/orders/${placed.id}/cancel`).set('authorization', alice.auth), 409, 'ILLEGAL_STATUS_TRANSITION');
      expect(await stock(mug)).toEqual({ quantity: 3, reserved: 1 });
    });

    it("404 ORDER_NOT_FOUND for someone else's order and a missing one; nothing changed", async () => {
      const placed = await place(alice, [{ productId: kettle, quantity: 2 }]);
      const before = await snapshot();
      expectError(await request(t.app).post(`/api/orders/${placed.id}/cancel`).set('authorization', bob.auth), 404, 'ORDER_NOT_FOUND');
      expectError(await request(t.app).post('/api/orders/2000000/cancel').set('authorization', alice.auth), 404, 'ORDER_NOT_FOUND');
      expect(await snapshot()).toEqual(before);
    });

    it('401 without a token; 400 INVALID_ID', async () => {
      const placed = await place(alice, [{ productId: kettle, quantity: 2 }]);
      const before = await snapshot();
      expectError(await request(t.app).post(`/api/orders/${placed.id}/cancel`), 401, 'UNAUTHENTICATED');
      expectError(await request(t.app).post('/api/orders/-1/cancel').set('authorization', alice.auth), 400, 'INVALID_ID');
      expect(await snapshot()).toEqual(before);
    });
  });
});
