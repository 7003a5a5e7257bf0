import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

const STOCK = 10;
const BUYERS = 100;

/**
 * 100 orders for the last 10 units, all in flight at once over real sockets: the inventory row lock must sell each
 * unit exactly once, and the fixed lock order must keep MariaDB from ever reporting a deadlock (which would be a 500).
 */
describe('placing orders concurrently (e2e)', () => {
  let t: TestApp;
  let server: http.Server;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp('legacy_orders_race');
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.drop();
  });

  it(`sells ${STOCK} units to exactly ${STOCK} of ${BUYERS} simultaneous buyers`, async () => {
    const [productId] = await t.db('products').insert({ sku: 'LAST-10', name: 'Limited', description: '', price_minor: 1999, currency: 'EUR' });
    await t.db('inventory').insert({ product_id: productId, quantity: STOCK, reserved: 0 });
    // A handful of buyers, so orders also contend on the users rows they share-lock.
    const buyers: Array<{ id: number; auth: string }> = [];
    for (let i = 0; i < 5; i++) {
      const [id] = await t.db('users').insert({ email: `buyer${i}@example.com`, full_name: `Buyer ${i}`, password_hash: 'x' });
      buyers.push({ id: id as number, auth: `Bearer ${(await t.services.tokens.issue(id as number)).token}` });
    }

    const responses = await Promise.all(
      Array.from({ length: BUYERS }, (_, i) =>
        request(baseUrl)
          .post('/api/orders')
          .set('authorization', (buyers[i % buyers.length] as { auth: string }).auth)
          .send({ items: [{ productId, quantity: 1 }] }),
      ),
    );

    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500), JSON.stringify(responses.find((r) => r.status >= 500)?.body)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(STOCK);
    expect(statuses.filter((s) => s === 409)).toHaveLength(BUYERS - STOCK);
    for (const refused of responses.filter((r) => r.status === 409)) {
      expect(refused.body).toEqual({ error: { code: 'INSUFFICIENT_STOCK', message: expect.any(String) } });
    }
    for (const created of responses.filter((r) => r.status === 201)) {
      expect(created.body).toMatchObject({ status: 'pending', items: [{ productId, quantity: 1, unitPrice: { amountMinor: 1999, currency: 'EUR' } }] });
    }

    const inventory = await t.db('inventory').where({ product_id: productId }).first();
    expect({ quantity: inventory.quantity, reserved: inventory.reserved, available: inventory.quantity - inventory.reserved }).toEqual({
      quantity: STOCK,
      reserved: STOCK,
      available: 0,
    });
    const createdIds = responses.filter((r) => r.status === 201).map((r) => r.body.id as number);
    const [{ n: orderCount }] = (await t.db('orders').count({ n: '*' })) as [{ n: number }];
    expect(orderCount).toBe(STOCK);
    expect((await t.db('orders').pluck('id')).sort()).toEqual([...createdIds].sort());
    const [{ sold }] = (await t.db('order_items').whereIn('order_id', createdIds).sum({ sold: 'quantity' })) as [{ sold: number | string }];
    expect(Number(sold)).toBe(inventory.reserved);

    // The API agrees with the database.
    const check = await request(baseUrl).get(`/api/products/${productId}/stock`);
    expect(check.body).toEqual({ productId, quantity: STOCK, reserved: STOCK, available: 0 });
  });

  it('never deadlocks when orders name the same products in opposite orders, with cancels racing them', async () => {
    const product = async (sku: string, quantity: number): Promise<number> => {
      const [id] = await t.db('products').insert({ sku, name: sku, description: '', price_minor: 100, currency: 'EUR' });
      await t.db('inventory').insert({ product_id: id, quantity, reserved: 0 });
      return id as number;
    };
    const a = await product('PAIR-A', 20);
    const b = await product('PAIR-B', 20);
    const [userId] = await t.db('users').insert({ email: 'pair@example.com', full_name: 'Pair', password_hash: 'x' });
    const auth = `Bearer ${(await t.services.tokens.issue(userId as number)).token}`;
    const order = (items: Array<{ productId: number; quantity: number }>) => request(baseUrl).post('/api/orders').set('authorization', auth).send({ items });

    // Ten orders to cancel while new ones are placed: cancelling locks the order, then the inventory rows.
    const early = [];
    for (let i = 0; i < 10; i++) early.push((await order([{ productId: a, quantity: 1 }, { productId: b, quantity: 1 }])).body.id as number);

    const responses = await Promise.all([
      ...Array.from({ length: 60 }, (_, i) =>
        order(i % 2 === 0 ? [{ productId: a, quantity: 1 }, { productId: b, quantity: 1 }] : [{ productId: b, quantity: 1 }, { productId: a, quantity: 1 }]),
      ),
      ...early.map((id) => request(baseUrl).post(`/api/orders/${id}/cancel`).set('authorization', auth)),
    ]);

    const failures = responses.filter((r) => r.status >= 500);
    expect(failures.map((r) => r.body)).toEqual([]);
    const placed = responses.slice(0, 60);
    for (const r of placed) expect([201, 409]).toContain(r.status);
    for (const r of responses.slice(60)) expect(r.status).toBe(200);
    // At most 20 pairs fit; the 10 cancelled ones free their units for later orders, so at least 10 new ones succeed.
    const sold = placed.filter((r) => r.status === 201).length;
    expect(sold).toBeGreaterThanOrEqual(10);
    expect(sold).toBeLessThanOrEqual(20);

    // Reserved is exactly what the orders still holding stock ordered.
    const held = (await t.db('order_items as oi')
      .join('orders as o', 'o.id', 'oi.order_id')
      .whereIn('o.status', ['pending', 'paid'])
      .select('oi.product_id')
      .sum({ units: 'oi.quantity' })
      .groupBy('oi.product_id')) as Array<{ product_id: number; units: number | string }>;
    const inventory = await t.db('inventory').whereIn('product_id', [a, b]).orderBy('product_id');
    for (const row of inventory) {
      const units = Number(held.find((h) => h.product_id === row.product_id)?.units ?? 0);
      expect(row.reserved).toBe(units);
      expect(row.reserved).toBeLessThanOrEqual(row.quantity);
    }
    expect(inventory.map((row) => row.reserved)).toEqual([sold, sold]);
  });
});
