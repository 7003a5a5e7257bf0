import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG_STATES, USER_STATES } from '../../provider-states.js';
import { buildImplementation, type ImplementationUnderTest } from '../../testing/providers.js';

// Each state must set up exactly what it says on every implementation, whatever an earlier interaction left behind.
// Checked through the public API, which is what the interactions see.

describe.each(['legacy', 'users-service'])('users states on %s', (implementation) => {
  let t: ImplementationUnderTest;
  beforeAll(async () => {
    t = await buildImplementation('users-api', implementation);
  });
  afterAll(async () => {
    await t?.drop();
  });
  const state = (name: string, params: object) => t.stateHandlers[name]!(params);
  const getUser = (id: number) => request(t.app).get(`/api/users/${id}`);
  const findByEmail = (email: string) => request(t.app).get('/api/users').query({ email });

  it('"a user with id {id} exists" replaces whatever held the id or the email (in any case)', async () => {
    await state(USER_STATES.userExists, { id: 20, email: 'first@example.com', fullName: 'First' });
    await state(USER_STATES.userExists, { id: 20, email: 'second@example.com', fullName: 'Second', status: 'suspended' });
    expect((await getUser(20)).body).toMatchObject({ id: 20, email: 'second@example.com', fullName: 'Second', status: 'suspended' });
    expect((await findByEmail('first@example.com')).body.total).toBe(0);

    await state(USER_STATES.userExists, { id: 21, email: 'SECOND@example.com', fullName: 'Third' });
    expect((await getUser(20)).status).toBe(404);
    expect((await getUser(21)).body).toMatchObject({ id: 21, email: 'SECOND@example.com', fullName: 'Third', status: 'active' });
  });

  it('"no user with ..." removes by id, and by email in any case', async () => {
    await state(USER_STATES.userExists, { id: 22, email: 'mixed@example.com', fullName: 'Mixed' });
    await state(USER_STATES.noUserWithEmail, { email: 'MiXed@Example.com' });
    expect((await getUser(22)).status).toBe(404);

    await state(USER_STATES.userExists, { id: 23, email: 'byid@example.com', fullName: 'By Id' });
    await state(USER_STATES.noUserWithId, { id: 23 });
    expect((await getUser(23)).status).toBe(404);
    expect((await findByEmail('byid@example.com')).body.total).toBe(0);
  });

  it('"the caller is authenticated as user {id}" hands out a token this implementation accepts for that user only', async () => {
    await state(USER_STATES.userExists, { id: 24, email: 'auth@example.com', fullName: 'Auth' });
    await state(USER_STATES.userExists, { id: 25, email: 'other@example.com', fullName: 'Other' });
    const values = await state(USER_STATES.authenticatedAs, { id: 24 });
    const token = String(values?.token);
    const own = await request(t.app).patch('/api/users/24').set('authorization', `Bearer ${token}`).send({ fullName: 'Changed' });
    expect(own.status).toBe(200);
    expect(own.body.fullName).toBe('Changed');
    const other = await request(t.app).patch('/api/users/25').set('authorization', `Bearer ${token}`).send({ fullName: 'Hijacked' });
    expect(other.status).toBe(403);
  });
});

describe.each(['legacy', 'catalog-service'])('catalog states on %s', (implementation) => {
  let t: ImplementationUnderTest;
  beforeAll(async () => {
    t = await buildImplementation('catalog-api', implementation);
  });
  afterAll(async () => {
    await t?.drop();
  });
  const state = (name: string, params: object) => t.stateHandlers[name]!(params);
  const product = (id: number, sku: string) => ({ id, sku, name: `Product ${id}`, description: 'd', price: { amountMinor: 100 + id, currency: 'EUR' }, active: true });
  const getProduct = (id: number) => request(t.app).get(`/api/products/${id}`);

  it('"a product with id {id} exists" replaces whatever held the id or the sku, and has no stock', async () => {
    await state(CATALOG_STATES.productExists, product(30, 'SKU-A'));
    await state(CATALOG_STATES.productExists, product(31, 'SKU-A'));
    expect((await getProduct(30)).status).toBe(404);
    expect((await getProduct(31)).body).toMatchObject({ id: 31, sku: 'SKU-A', price: { amountMinor: 131, currency: 'EUR' }, active: true });
    expect((await request(t.app).get('/api/products/31/stock')).body).toEqual({ productId: 31, quantity: 0, reserved: 0, available: 0 });
  });

  it('"product {id} has {quantity} in stock with {reserved} reserved" makes a product with exactly that stock', async () => {
    await state(CATALOG_STATES.productExists, product(32, 'SKU-B'));
    await state(CATALOG_STATES.stock, { id: 32, quantity: 10, reserved: 4 });
    expect((await request(t.app).get('/api/products/32/stock')).body).toEqual({ productId: 32, quantity: 10, reserved: 4, available: 6 });
    expect((await getProduct(32)).status).toBe(200);
  });

  it('"the catalog contains only the products {products}" leaves exactly those', async () => {
    await state(CATALOG_STATES.productExists, product(33, 'SKU-C'));
    await state(CATALOG_STATES.onlyProducts, { products: [product(34, 'SKU-D'), product(35, 'SKU-E')] });
    const list = await request(t.app).get('/api/products');
    expect(list.body.total).toBe(2);
    expect(list.body.items.map((p: { id: number }) => p.id)).toEqual([34, 35]);
  });

  it('"no product with ..." removes by id and by sku', async () => {
    await state(CATALOG_STATES.productExists, product(36, 'SKU-F'));
    await state(CATALOG_STATES.productExists, product(37, 'SKU-G'));
    await state(CATALOG_STATES.noProductWithId, { id: 36 });
    await state(CATALOG_STATES.noProductWithSku, { sku: 'SKU-G' });
    expect((await getProduct(36)).status).toBe(404);
    expect((await getProduct(37)).status).toBe(404);
  });
});
