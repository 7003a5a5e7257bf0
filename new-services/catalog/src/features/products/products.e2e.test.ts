import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

/**
 * Legacy's products API, served by the catalog service on its own schema: that it answers like legacy is
 * contracts/src/conformance/catalog-api.conformance.ts, run against both. Here is only what the service alone has:
 * the row's version and stock time, products projected from legacy, stock-only placeholders, and no orders.
 */
describe('products API (e2e), catalog service only', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp('catalog_products');
  });
  afterAll(async () => {
    await t.drop();
  });
  beforeEach(async () => {
    await t.db.raw('TRUNCATE TABLE products');
  });

  async function create(body: object): Promise<{ id: number; [key: string]: unknown }> {
    const response = await request(t.app).post('/api/products').send(body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    return response.body as { id: number };
  }
  const kettle = () => create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });

  async function count(): Promise<number> {
    const [row] = await t.db('products').count({ n: '*' });
    return Number(row?.n);
  }

  const rowOf = async (id: number): Promise<Record<string, unknown>> => (await t.db('products').where({ id }).first()) as Record<string, unknown>;

  const stockRow = async (id: number) =>
    t.db('products').select('stock_quantity', 'stock_reserved', 'stock_updated_at', 'version').where({ id }).first() as Promise<
      { stock_quantity: number; stock_reserved: number; stock_updated_at: Date | null; version: number } | undefined
    >;

  function expectError(response: request.Response, status: number, code: string): void {
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
  }

  /** A product whose stock event came first: present in the table, absent from the API. */
  async function placeholder(legacyId: number): Promise<void> {
    await t.services.legacyProjection.upsertStockFromLegacy({ legacyProductId: legacyId, quantity: 5, reserved: 1, updatedAt: new Date() });
  }

  /** A product projected from legacy whose stock has not arrived. */
  async function projected(legacyId: number, sku: string): Promise<void> {
    await t.services.legacyProjection.upsertProductFromLegacy({
      legacyId, sku, name: 'Old', description: '', priceMinor: 1, currency: 'EUR', active: true, createdAt: new Date(), updatedAt: new Date(),
    });
  }

  describe('POST /api/products', () => {
    it('stores the product unlinked from legacy, its empty stock set at creation, version 1', async () => {
      const response = await request(t.app)
        .post('/api/products')
        .send({ sku: 'KET-1', name: '  Kettle  ', description: 'Boils', price: { amountMinor: 2599, currency: 'EUR' }, active: false });
      expect(response.status).toBe(201);
      const row = await rowOf(response.body.id as number);
      expect(row).toMatchObject({ legacy_id: null, stock_quantity: 0, stock_reserved: 0, version: 1 });
      expect((row.stock_updated_at as Date).toISOString()).toBe(response.body.createdAt);
    });

    it('refuses a sku that a product projected from legacy holds → 409 SKU_TAKEN', async () => {
      await projected(3, 'LEG-3');
      expectError(await request(t.app).post('/api/products').send({ sku: 'LEG-3', name: 'New', price: { amountMinor: 2, currency: 'EUR' } }), 409, 'SKU_TAKEN');
      expect(await count()).toBe(1);
    });
  });

  describe('products projected from legacy', () => {
    it('are served under legacy’s id, with legacy’s timestamps', async () => {
      await t.services.legacyProjection.upsertProductFromLegacy({
        legacyId: 4711,
        sku: 'LEG-4711',
        name: 'From legacy',
        description: 'Projected',
        priceMinor: 1234,
        currency: 'USD',
        active: false,
        createdAt: new Date('2023-01-02T03:04:05.678Z'),
        updatedAt: new Date('2023-06-07T08:09:10.111Z'),
      });
      const response = await request(t.app).get('/api/products/4711');
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        id: 4711,
        sku: 'LEG-4711',
        name: 'From legacy',
        description: 'Projected',
        price: { amountMinor: 1234, currency: 'USD' },
        active: false,
        createdAt: '2023-01-02T03:04:05.678Z',
        updatedAt: '2023-06-07T08:09:10.111Z',
      });
    });

    it('whose stock has not arrived (legacy: no inventory row) have nothing in stock', async () => {
      await projected(21, 'OLD-1');
      expect((await request(t.app).get('/api/products/21/stock')).body).toEqual({ productId: 21, quantity: 0, reserved: 0, available: 0 });
      expect(await stockRow(21)).toMatchObject({ stock_updated_at: null });
    });

    it('whose stock has not arrived take a stock (legacy: creates the inventory row)', async () => {
      await projected(500, 'OLD-1');
      const response = await request(t.app).put('/api/products/500/stock').send({ quantity: 5 });
      expect(response.body).toEqual({ productId: 500, quantity: 5, reserved: 0, available: 5 });
      expect(await stockRow(500)).toMatchObject({ stock_quantity: 5, stock_reserved: 0, stock_updated_at: expect.any(Date), version: 2 });
    });
  });

  describe('stock-only placeholders are absent from the API', () => {
    it('leaves them out of the list, in items and in total', async () => {
      for (const sku of ['TEA-GREEN', 'MUG-1', 'TOWEL-1', 'PATH-1', 'XTEA-2']) await create({ sku, name: sku, price: { amountMinor: 1, currency: 'EUR' } });
      await placeholder(1000);
      const response = await request(t.app).get('/api/products?pageSize=100');
      expect(response.body.total).toBe(5);
      expect((response.body.items as Array<{ id: number }>).map((p) => p.id)).not.toContain(1000);
      expect(await count()).toBe(6);
    });

    it('GET: 404 PRODUCT_NOT_FOUND', async () => {
      await placeholder(12);
      const response = await request(t.app).get('/api/products/12');
      expectError(response, 404, 'PRODUCT_NOT_FOUND');
      expect(response.body.error.message).toBe('Product 12 not found');
    });

    it('PATCH: 404 PRODUCT_NOT_FOUND, the row untouched', async () => {
      await placeholder(999_998);
      expectError(await request(t.app).patch('/api/products/999998').send({ name: 'x' }), 404, 'PRODUCT_NOT_FOUND');
      expect(await rowOf(999_998)).toMatchObject({ sku: null, name: null, version: 1 });
    });

    it('DELETE: 404 PRODUCT_NOT_FOUND, and the placeholder stays', async () => {
      await placeholder(31);
      expectError(await request(t.app).delete('/api/products/31'), 404, 'PRODUCT_NOT_FOUND');
      expect(await count()).toBe(1);
    });

    it('GET stock: 404 PRODUCT_NOT_FOUND', async () => {
      await placeholder(41);
      expectError(await request(t.app).get('/api/products/41/stock'), 404, 'PRODUCT_NOT_FOUND');
    });

    it('PUT stock: 404 PRODUCT_NOT_FOUND, its stock untouched', async () => {
      await placeholder(77);
      expectError(await request(t.app).put('/api/products/77/stock').send({ quantity: 100 }), 404, 'PRODUCT_NOT_FOUND');
      expect(await stockRow(77)).toMatchObject({ stock_quantity: 5, stock_reserved: 1, version: 1 });
    });
  });

  describe('PATCH /api/products/:id: the version', () => {
    let id: number;
    beforeEach(async () => {
      id = (await create({ sku: 'KET-1', name: 'Kettle', description: 'Boils', price: { amountMinor: 2599, currency: 'EUR' } })).id;
    });

    it('a change bumps it → 2', async () => {
      const response = await request(t.app).patch(`/api/products/${id}`).send({ name: ' Kettle Pro ', price: { amountMinor: 3000, currency: 'USD' }, active: false });
      expect(response.status).toBe(200);
      expect(await rowOf(id)).toMatchObject({ version: 2 });
    });

    it('so does keeping its own sku: two changes → 3', async () => {
      expect((await request(t.app).patch(`/api/products/${id}`).send({ sku: 'KET-1' })).status).toBe(200);
      expect((await request(t.app).patch(`/api/products/${id}`).send({ sku: 'KET-2', description: '' })).status).toBe(200);
      expect(await rowOf(id)).toMatchObject({ sku: 'KET-2', description: '', version: 3 });
    });

    it('409 SKU_TAKEN leaves it', async () => {
      await create({ sku: 'MUG-1', name: 'Mug', price: { amountMinor: 1, currency: 'EUR' } });
      expectError(await request(t.app).patch(`/api/products/${id}`).send({ sku: 'MUG-1', name: 'Renamed' }), 409, 'SKU_TAKEN');
      expect(await rowOf(id)).toMatchObject({ version: 1 });
    });

    it.each([
      ['an empty patch', {}],
      ['an unknown field', { stock: 1 }],
      ['a partial price', { price: { amountMinor: 1 } }],
      ['an unknown field in price', { price: { amountMinor: 1, currency: 'EUR', tax: 1 } }],
      ['a null description', { description: null }],
      ['a blank name', { name: ' ' }],
    ])('400 VALIDATION_FAILED for %s leaves it', async (_name, body) => {
      expectError(await request(t.app).patch(`/api/products/${id}`).send(body), 400, 'VALIDATION_FAILED');
      expect(await rowOf(id)).toMatchObject({ version: 1 });
    });
  });

  describe('DELETE /api/products/:id', () => {
    it('deletes even with stock reserved: orders live in the monolith (legacy would answer 409 PRODUCT_HAS_ORDERS)', async () => {
      const { id } = await kettle();
      await t.db('products').where({ id }).update({ stock_quantity: 5, stock_reserved: 2 });
      expect((await request(t.app).delete(`/api/products/${id}`)).status).toBe(204);
      expect(await count()).toBe(0);
    });
  });

  describe('PUT /api/products/:id/stock: the stock time and the version', () => {
    let id: number;
    beforeEach(async () => {
      id = (await kettle()).id;
      await t.db('products').where({ id }).update({ stock_quantity: 10, stock_reserved: 4, stock_updated_at: new Date('2020-01-01T00:00:00Z') });
    });

    it('a write records the time and bumps the version → 2', async () => {
      expect((await request(t.app).put(`/api/products/${id}/stock`).send({ quantity: 25 })).status).toBe(200);
      const row = await stockRow(id);
      expect(row).toMatchObject({ stock_quantity: 25, stock_reserved: 4, version: 2 });
      expect(row?.stock_updated_at?.getTime()).toBeGreaterThan(Date.parse('2024-01-01T00:00:00Z'));
    });

    it('two writes → 3', async () => {
      expect((await request(t.app).put(`/api/products/${id}/stock`).send({ quantity: 4 })).status).toBe(200);
      expect((await request(t.app).put(`/api/products/${id}/stock`).send({ quantity: 1e9 })).status).toBe(200);
      expect(await stockRow(id)).toMatchObject({ stock_quantity: 1e9, stock_reserved: 4, version: 3 });
    });

    it('409 STOCK_BELOW_RESERVED leaves both', async () => {
      expectError(await request(t.app).put(`/api/products/${id}/stock`).send({ quantity: 3 }), 409, 'STOCK_BELOW_RESERVED');
      expect(await stockRow(id)).toEqual({ stock_quantity: 10, stock_reserved: 4, stock_updated_at: new Date('2020-01-01T00:00:00Z'), version: 1 });
    });

    it.each([
      ['negative', { quantity: -1 }],
      ['over 10^9', { quantity: 1e9 + 1 }],
      ['fractional', { quantity: 2.5 }],
      ['a string', { quantity: '5' }],
      ['missing', {}],
      ['with an unknown field', { quantity: 5, reserved: 0 }],
    ])('400 VALIDATION_FAILED for a quantity %s leaves the version', async (_name, body) => {
      expectError(await request(t.app).put(`/api/products/${id}/stock`).send(body), 400, 'VALIDATION_FAILED');
      expect(await stockRow(id)).toMatchObject({ stock_quantity: 10, stock_reserved: 4, version: 1 });
    });

    it('concurrent stock writes serialize on the row: every write lands, one version each', async () => {
      const quantities = Array.from({ length: 10 }, (_, i) => 100 + i);
      const responses = await Promise.all(quantities.map((quantity) => request(t.app).put(`/api/products/${id}/stock`).send({ quantity })));
      expect(responses.every((r) => r.status === 200)).toBe(true);
      const row = await stockRow(id);
      expect(row?.version).toBe(11);
      expect(quantities).toContain(row?.stock_quantity);
    });
  });
});
