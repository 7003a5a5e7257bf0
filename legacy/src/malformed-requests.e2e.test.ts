import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from './testing/test-app.js';

/**
 * Bad input gets a clear 4xx with a JSON error code and changes nothing — across every endpoint.
 * One fixture, one table; the whole database is checksummed before and after each request.
 */
describe('malformed and refused requests', () => {
  let t: TestApp;
  let alice: { id: number; token: string };
  let bob: { id: number; token: string };
  // Assigned in beforeAll; the table's closures read them when each case runs.
  let stocked = 0;
  let ordered = 0;
  let shippedOrder: number;

  async function checksum(): Promise<string> {
    const [rows] = (await t.db.raw('CHECKSUM TABLE users, products, inventory, orders, order_items')) as [
      Array<{ Table: string; Checksum: number }>,
    ];
    return rows.map((row) => `${row.Table}=${row.Checksum}`).join(' ');
  }

  beforeAll(async () => {
    t = await createTestApp('legacy_malformed');
    const [aliceId] = await t.db('users').insert({ email: 'alice@example.com', full_name: 'Alice', password_hash: 'x' });
    const [bobId] = await t.db('users').insert({ email: 'bob@example.com', full_name: 'Bob', password_hash: 'x' });
    alice = { id: aliceId as number, token: (await t.services.tokens.issue(aliceId as number)).token };
    bob = { id: bobId as number, token: (await t.services.tokens.issue(bobId as number)).token };
    const [p1] = await t.db('products').insert({ sku: 'SKU-1', name: 'Kettle', description: '', price_minor: 2500, currency: 'EUR' });
    const [p2] = await t.db('products').insert({ sku: 'SKU-2', name: 'Teapot', description: '', price_minor: 1500, currency: 'EUR' });
    stocked = p1 as number;
    ordered = p2 as number;
    await t.db('inventory').insert([
      { product_id: stocked, quantity: 5, reserved: 2 },
      { product_id: ordered, quantity: 3, reserved: 0 },
    ]);
    const [pending] = await t.db('orders').insert({ user_id: alice.id, status: 'pending', total_minor: 5000, currency: 'EUR' });
    await t.db('order_items').insert({ order_id: pending, product_id: stocked, quantity: 2, unit_price_minor: 2500 });
    const [shipped] = await t.db('orders').insert({ user_id: alice.id, status: 'shipped', total_minor: 1500, currency: 'EUR' });
    await t.db('order_items').insert({ order_id: shipped, product_id: ordered, quantity: 1, unit_price_minor: 1500 });
    shippedOrder = shipped as number;
  });

  afterAll(async () => {
    await t.drop();
  });

  interface Case {
    name: string;
    method: 'get' | 'post' | 'patch' | 'put' | 'delete';
    path: () => string;
    /** A function when the body names fixture ids, which exist only once beforeAll has run. */
    body?: unknown | (() => unknown);
    raw?: { type: string; data: string };
    token?: () => string;
    status: number;
    code: string;
  }

  const cases: Case[] = [
    { name: 'malformed JSON', method: 'post', path: () => '/api/users', raw: { type: 'application/json', data: '{"email":' }, status: 400, code: 'MALFORMED_JSON' },
    { name: 'body that is not JSON at all', method: 'post', path: () => '/api/users', raw: { type: 'text/plain', data: 'email=a@b.c' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'JSON array instead of object', method: 'post', path: () => '/api/users', body: [{ email: 'x@example.com' }], status: 400, code: 'VALIDATION_FAILED' },
    { name: 'missing password', method: 'post', path: () => '/api/users', body: { email: 'new@example.com', fullName: 'New' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'extra field', method: 'post', path: () => '/api/users', body: { email: 'new@example.com', fullName: 'New', password: 'password123', admin: true }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'email of the wrong type', method: 'post', path: () => '/api/users', body: { email: 42, fullName: 'New', password: 'password123' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'invalid email', method: 'post', path: () => '/api/users', body: { email: 'not-an-email', fullName: 'New', password: 'password123' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'name too long', method: 'post', path: () => '/api/users', body: { email: 'new@example.com', fullName: 'x'.repeat(201), password: 'password123' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'duplicate email in another case', method: 'post', path: () => '/api/users', body: { email: 'ALICE@example.com', fullName: 'Alice 2', password: 'password123' }, status: 409, code: 'EMAIL_TAKEN' },
    { name: 'body over the size limit', method: 'post', path: () => '/api/users', body: { email: 'big@example.com', fullName: 'Big', password: 'x'.repeat(200_000) }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'non-numeric id', method: 'get', path: () => '/api/users/abc', status: 400, code: 'INVALID_ID' },
    { name: 'zero id', method: 'get', path: () => '/api/users/0', status: 400, code: 'INVALID_ID' },
    { name: 'id beyond INT range', method: 'get', path: () => '/api/users/99999999999', status: 400, code: 'INVALID_ID' },
    { name: 'unknown user', method: 'get', path: () => '/api/users/999999', status: 404, code: 'USER_NOT_FOUND' },
    { name: 'page size over the maximum', method: 'get', path: () => '/api/users?pageSize=1000', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'negative page', method: 'get', path: () => '/api/products?page=-1', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'search term too long', method: 'get', path: () => `/api/products?q=${'x'.repeat(101)}`, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'patch without a token', method: 'patch', path: () => `/api/users/${alice.id}`, body: { fullName: 'Mallory' }, status: 401, code: 'UNAUTHENTICATED' },
    { name: 'patch with a forged token', method: 'patch', path: () => `/api/users/${alice.id}`, body: { fullName: 'Mallory' }, token: () => 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.bad', status: 401, code: 'INVALID_TOKEN' },
    { name: "patch of someone else's account", method: 'patch', path: () => `/api/users/${alice.id}`, body: { fullName: 'Mallory' }, token: () => bob.token, status: 403, code: 'FORBIDDEN' },
    { name: 'empty patch', method: 'patch', path: () => `/api/users/${alice.id}`, body: {}, token: () => alice.token, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'unknown status', method: 'patch', path: () => `/api/users/${alice.id}`, body: { status: 'deleted' }, token: () => alice.token, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'delete a user who has orders', method: 'delete', path: () => `/api/users/${alice.id}`, token: () => alice.token, status: 409, code: 'USER_HAS_ORDERS' },
    { name: 'login with a wrong password', method: 'post', path: () => '/api/auth/login', body: { email: 'alice@example.com', password: 'wrong-password' }, status: 401, code: 'INVALID_CREDENTIALS' },
    { name: 'login without email', method: 'post', path: () => '/api/auth/login', body: { password: 'password123' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'negative price', method: 'post', path: () => '/api/products', body: { sku: 'SKU-9', name: 'Cup', price: { amountMinor: -1, currency: 'EUR' } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'fractional minor units', method: 'post', path: () => '/api/products', body: { sku: 'SKU-9', name: 'Cup', price: { amountMinor: 1.5, currency: 'EUR' } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'lower-case currency', method: 'post', path: () => '/api/products', body: { sku: 'SKU-9', name: 'Cup', price: { amountMinor: 100, currency: 'eur' } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'sku with spaces', method: 'post', path: () => '/api/products', body: { sku: 'SKU 9', name: 'Cup', price: { amountMinor: 100, currency: 'EUR' } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'duplicate sku', method: 'post', path: () => '/api/products', body: { sku: 'SKU-1', name: 'Cup', price: { amountMinor: 100, currency: 'EUR' } }, status: 409, code: 'SKU_TAKEN' },
    { name: 'extra field nested in price', method: 'patch', path: () => `/api/products/${stocked}`, body: { price: { amountMinor: 1, currency: 'EUR', tax: 1 } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'delete a product that was ordered', method: 'delete', path: () => `/api/products/${ordered}`, status: 409, code: 'PRODUCT_HAS_ORDERS' },
    { name: 'negative stock', method: 'put', path: () => `/api/products/${stocked}/stock`, body: { quantity: -1 }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'stock as a string', method: 'put', path: () => `/api/products/${stocked}/stock`, body: { quantity: '5' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'stock below what is reserved', method: 'put', path: () => `/api/products/${stocked}/stock`, body: { quantity: 1 }, status: 409, code: 'STOCK_BELOW_RESERVED' },
    { name: 'stock of an unknown product', method: 'get', path: () => '/api/products/999999/stock', status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'order without a token', method: 'post', path: () => '/api/orders', body: { items: [{ productId: 1, quantity: 1 }] }, status: 401, code: 'UNAUTHENTICATED' },
    { name: 'order with no items', method: 'post', path: () => '/api/orders', body: { items: [] }, token: () => bob.token, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'order with zero quantity', method: 'post', path: () => '/api/orders', body: () => ({ items: [{ productId: stocked, quantity: 0 }] }), token: () => bob.token, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'order naming a product twice', method: 'post', path: () => '/api/orders', body: () => ({ items: [{ productId: stocked, quantity: 1 }, { productId: stocked, quantity: 1 }] }), token: () => bob.token, status: 400, code: 'DUPLICATE_PRODUCT' },
    { name: 'order of an unknown product', method: 'post', path: () => '/api/orders', body: { items: [{ productId: 999999, quantity: 1 }] }, token: () => bob.token, status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'order beyond available stock', method: 'post', path: () => '/api/orders', body: () => ({ items: [{ productId: ordered, quantity: 1 }, { productId: stocked, quantity: 4 }] }), token: () => bob.token, status: 409, code: 'INSUFFICIENT_STOCK' },
    { name: "someone else's order", method: 'get', path: () => `/api/orders/${shippedOrder}`, token: () => bob.token, status: 404, code: 'ORDER_NOT_FOUND' },
    { name: 'cancel a shipped order', method: 'post', path: () => `/api/orders/${shippedOrder}/cancel`, token: () => alice.token, status: 409, code: 'ILLEGAL_STATUS_TRANSITION' },
    { name: "another user's order history", method: 'get', path: () => `/api/users/${alice.id}/orders`, token: () => bob.token, status: 403, code: 'FORBIDDEN' },
    { name: 'unknown route', method: 'get', path: () => '/api/nowhere', status: 404, code: 'ROUTE_NOT_FOUND' },
  ];

  it('has a table of at least 20 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s → 4xx with an error code, nothing changed', async (_name, c) => {
    const before = await checksum();
    let call = request(t.app)[c.method](c.path());
    if (c.token) call = call.set('authorization', `Bearer ${c.token()}`);
    const body = typeof c.body === 'function' ? (c.body as () => unknown)() : c.body;
    const response = c.raw ? await call.set('content-type', c.raw.type).send(c.raw.data) : body === undefined ? await call : await call.send(body as object);
    expect(response.status, JSON.stringify(response.body)).toBe(c.status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toEqual({ error: { code: c.code, message: expect.any(String) } });
    expect(response.body.error.message.length).toBeGreaterThan(0);
    expect(await checksum()).toBe(before);
  });
});
