import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

// What every implementation of the products API must do alike is contracts/src/conformance/catalog-api.conformance.ts,
// which runs against this app too. Here is only what the monolith alone has: orders that hold on to a product, and
// products imported without an inventory row.

describe('products API (e2e), monolith only', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('legacy_products');
  });
  afterAll(async () => {
    await t.drop();
  });
  beforeEach(async () => {
    // Children first; the foreign keys restrict.
    await t.db('order_items').delete();
    await t.db('orders').delete();
    await t.db('inventory').delete();
    await t.db('products').delete();
    await t.db('users').delete();
  });

  async function counts(): Promise<{ products: number; inventory: number }> {
    const [p] = await t.db('products').count({ n: '*' });
    const [i] = await t.db('inventory').count({ n: '*' });
    return { products: Number(p?.n), inventory: Number(i?.n) };
  }

  /** A product imported without its inventory row, inserted directly. */
  async function imported(): Promise<number> {
    const [id] = await t.db('products').insert({ sku: 'OLD-1', name: 'Old', description: '', price_minor: 1, currency: 'EUR' });
    return id as number;
  }

  it('DELETE: 409 PRODUCT_HAS_ORDERS when order items reference it, nothing deleted', async () => {
    const created = await request(t.app).post('/api/products').send({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as number;
    // An order for the product, inserted directly: the orders API is not under test here.
    const [userId] = await t.db('users').insert({ email: `u${id}@example.com`, full_name: 'U', password_hash: 'x' });
    const [orderId] = await t.db('orders').insert({ user_id: userId, total_minor: 100, currency: 'EUR' });
    await t.db('order_items').insert({ order_id: orderId, product_id: id, quantity: 1, unit_price_minor: 100 });

    const response = await request(t.app).delete(`/api/products/${id}`);
    expect(response.status, JSON.stringify(response.body)).toBe(409);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toEqual({ error: { code: 'PRODUCT_HAS_ORDERS', message: expect.any(String) } });
    expect(await counts()).toEqual({ products: 1, inventory: 1 });
  });

  it('GET stock: reports a product without an inventory row (imported) as having nothing in stock', async () => {
    const id = await imported();
    expect((await request(t.app).get(`/api/products/${id}/stock`)).body).toEqual({ productId: id, quantity: 0, reserved: 0, available: 0 });
  });

  it('PUT stock: creates the missing inventory row of an imported product', async () => {
    const oldId = await imported();
    const response = await request(t.app).put(`/api/products/${oldId}/stock`).send({ quantity: 5 });
    expect(response.body).toEqual({ productId: oldId, quantity: 5, reserved: 0, available: 5 });
    expect(await t.db('inventory').select('quantity', 'reserved').where({ product_id: oldId }).first()).toEqual({ quantity: 5, reserved: 0 });
  });
});
