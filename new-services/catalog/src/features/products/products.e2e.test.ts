import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from '../../testing/test-app.js';

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Legacy's products API, served by the catalog service on its own schema: same requests, same answers. */
describe('products API (e2e)', () => {
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

  describe('POST /api/products', () => {
    it('creates the product with an empty stock → 201, exact shape, Location, version 1', async () => {
      const response = await request(t.app)
        .post('/api/products')
        .send({ sku: 'KET-1', name: '  Kettle  ', description: 'Boils', price: { amountMinor: 2599, currency: 'EUR' }, active: false });
      expect(response.status).toBe(201);
      const id = response.body.id as number;
      expect(response.headers.location).toBe(`/api/products/${id}`);
      expect(response.body).toEqual({
        id: expect.any(Number),
        sku: 'KET-1',
        name: 'Kettle',
        description: 'Boils',
        price: { amountMinor: 2599, currency: 'EUR' },
        active: false,
        createdAt: expect.stringMatching(ISO_MS),
        updatedAt: response.body.createdAt,
      });
      const row = await rowOf(id);
      expect(row).toMatchObject({
        legacy_id: null,
        sku: 'KET-1',
        name: 'Kettle',
        description: 'Boils',
        price_amount_minor: 2599,
        price_currency: 'EUR',
        is_active: 0,
        stock_quantity: 0,
        stock_reserved: 0,
        version: 1,
      });
      expect((row.created_at as Date).toISOString()).toBe(response.body.createdAt);
      expect((row.updated_at as Date).toISOString()).toBe(response.body.createdAt);
      expect((row.stock_updated_at as Date).toISOString()).toBe(response.body.createdAt);
    });

    it('defaults description to "" and active to true; accepts the largest price', async () => {
      const body = await create({ sku: 'MUG-1', name: 'Mug', price: { amountMinor: 1e12, currency: 'USD' } });
      expect(body).toMatchObject({ description: '', active: true, price: { amountMinor: 1e12, currency: 'USD' } });
      expect(await rowOf(body.id)).toMatchObject({ description: '', is_active: 1, price_amount_minor: 1e12 });
    });

    it('refuses a taken sku → 409 SKU_TAKEN, nothing inserted', async () => {
      await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });
      const response = await request(t.app).post('/api/products').send({ sku: 'KET-1', name: 'Other', price: { amountMinor: 2, currency: 'EUR' } });
      expectError(response, 409, 'SKU_TAKEN');
      expect(response.body.error.message).toBe('SKU KET-1 is already taken');
      expect(await count()).toBe(1);
    });

    it('refuses a sku that a product projected from legacy holds → 409 SKU_TAKEN', async () => {
      await t.services.legacyProjection.upsertProductFromLegacy({
        legacyId: 3, sku: 'LEG-3', name: 'Old', description: '', priceMinor: 1, currency: 'EUR', active: true, createdAt: new Date(), updatedAt: new Date(),
      });
      expectError(await request(t.app).post('/api/products').send({ sku: 'LEG-3', name: 'New', price: { amountMinor: 2, currency: 'EUR' } }), 409, 'SKU_TAKEN');
      expect(await count()).toBe(1);
    });

    it('gives two concurrent creates of one sku exactly one 201 and one 409', async () => {
      const body = { sku: 'RACE-1', name: 'Race', price: { amountMinor: 1, currency: 'EUR' } };
      const responses = await Promise.all([request(t.app).post('/api/products').send(body), request(t.app).post('/api/products').send(body)]);
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
      expect(await count()).toBe(1);
    });

    it.each([
      ['unknown field', { sku: 'A-1', name: 'A', price: { amountMinor: 1, currency: 'EUR' }, stock: 3 }],
      ['unknown field nested in price', { sku: 'A-1', name: 'A', price: { amountMinor: 1, currency: 'EUR', tax: 0 } }],
      ['missing price', { sku: 'A-1', name: 'A' }],
      ['lower-case sku', { sku: 'a-1', name: 'A', price: { amountMinor: 1, currency: 'EUR' } }],
      ['blank name', { sku: 'A-1', name: '   ', price: { amountMinor: 1, currency: 'EUR' } }],
      ['price over 10^12', { sku: 'A-1', name: 'A', price: { amountMinor: 1e12 + 1, currency: 'EUR' } }],
      ['bad currency', { sku: 'A-1', name: 'A', price: { amountMinor: 1, currency: 'EURO' } }],
      ['description too long', { sku: 'A-1', name: 'A', description: 'x'.repeat(5001), price: { amountMinor: 1, currency: 'EUR' } }],
    ])('refuses %s → 400 VALIDATION_FAILED, nothing inserted', async (_name, body) => {
      expectError(await request(t.app).post('/api/products').send(body), 400, 'VALIDATION_FAILED');
      expect(await count()).toBe(0);
    });

    it('refuses a request without a JSON body → 400 VALIDATION_FAILED', async () => {
      expectError(await request(t.app).post('/api/products'), 400, 'VALIDATION_FAILED');
      expect(await count()).toBe(0);
    });
  });

  describe('GET /api/products', () => {
    beforeEach(async () => {
      await create({ sku: 'TEA-GREEN', name: 'Green Tea', price: { amountMinor: 500, currency: 'EUR' } });
      await create({ sku: 'MUG-1', name: 'Mug', price: { amountMinor: 900, currency: 'EUR' } });
      await create({ sku: 'TOWEL-1', name: '100% cotton_towel', price: { amountMinor: 1500, currency: 'EUR' } });
      await create({ sku: 'PATH-1', name: 'C:\\tea', price: { amountMinor: 1, currency: 'EUR' } });
      await create({ sku: 'XTEA-2', name: 'Spoon', price: { amountMinor: 200, currency: 'EUR' } });
    });

    it('lists by id ascending with page 1, pageSize 20 by default', async () => {
      const response = await request(t.app).get('/api/products');
      expect(response.status).toBe(200);
      expect(Object.keys(response.body).sort()).toEqual(['items', 'page', 'pageSize', 'total']);
      expect(response.body).toMatchObject({ page: 1, pageSize: 20, total: 5 });
      const ids = (response.body.items as Array<{ id: number }>).map((p) => p.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(response.body.items[0]).toEqual({
        id: ids[0],
        sku: 'TEA-GREEN',
        name: 'Green Tea',
        description: '',
        price: { amountMinor: 500, currency: 'EUR' },
        active: true,
        createdAt: expect.stringMatching(ISO_MS),
        updatedAt: expect.stringMatching(ISO_MS),
      });
    });

    it('pages; total counts all products; unknown parameters are ignored', async () => {
      const response = await request(t.app).get('/api/products?page=2&pageSize=2&sort=name');
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ page: 2, pageSize: 2, total: 5 });
      expect((response.body.items as Array<{ sku: string }>).map((p) => p.sku)).toEqual(['TOWEL-1', 'PATH-1']);
      const beyond = await request(t.app).get('/api/products?page=9&pageSize=2');
      expect(beyond.body).toEqual({ items: [], page: 9, pageSize: 2, total: 5 });
    });

    it('searches name or sku case-insensitively; total counts the matches', async () => {
      const response = await request(t.app).get('/api/products?q=tEa&pageSize=2');
      expect(response.status).toBe(200);
      expect((response.body.items as Array<{ sku: string }>).map((p) => p.sku)).toEqual(['TEA-GREEN', 'PATH-1']);
      expect(response.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    });

    it('takes %, _ and \\ in the search term literally', async () => {
      const skus = async (q: string): Promise<string[]> => {
        const response = await request(t.app).get('/api/products').query({ q });
        expect(response.status).toBe(200);
        return (response.body.items as Array<{ sku: string }>).map((p) => p.sku);
      };
      expect(await skus('%')).toEqual(['TOWEL-1']);
      expect(await skus('n_t')).toEqual(['TOWEL-1']);
      expect(await skus('gr_en')).toEqual([]);
      expect(await skus('\\')).toEqual(['PATH-1']);
      expect(await skus('c:\\t')).toEqual(['PATH-1']);
    });

    it('ignores accents like legacy’s utf8mb4_unicode_ci search does', async () => {
      await create({ sku: 'CAFE-1', name: 'Café Crème', price: { amountMinor: 1, currency: 'EUR' } });
      const response = await request(t.app).get('/api/products').query({ q: 'CAFE creme' });
      expect((response.body.items as Array<{ sku: string }>).map((p) => p.sku)).toEqual(['CAFE-1']);
    });

    it('leaves out stock-only placeholders, in items and in total', async () => {
      await placeholder(1000);
      const response = await request(t.app).get('/api/products?pageSize=100');
      expect(response.body.total).toBe(5);
      expect((response.body.items as Array<{ id: number }>).map((p) => p.id)).not.toContain(1000);
      expect(await count()).toBe(6);
    });

    it.each([
      ['page=0', 'page=0'],
      ['page=-1', 'page=-1'],
      ['page=abc', 'page=abc'],
      ['pageSize=0', 'pageSize=0'],
      ['pageSize=101', 'pageSize=101'],
      ['pageSize=1.5', 'pageSize=1.5'],
      ['empty q', 'q='],
      ['q of 101 characters', `q=${'x'.repeat(101)}`],
      ['repeated page', 'page=1&page=2'],
    ])('refuses %s → 400 VALIDATION_FAILED', async (_name, query) => {
      expectError(await request(t.app).get(`/api/products?${query}`), 400, 'VALIDATION_FAILED');
    });
  });

  describe('GET /api/products/:id', () => {
    it('returns the product → 200, the same shape as on create', async () => {
      const created = await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });
      const response = await request(t.app).get(`/api/products/${created.id}`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(created);
    });

    it('serves a product projected from legacy under legacy’s id, with legacy’s timestamps', async () => {
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

    it('404 PRODUCT_NOT_FOUND for an unknown id and for a stock-only placeholder', async () => {
      expectError(await request(t.app).get('/api/products/2147483647'), 404, 'PRODUCT_NOT_FOUND');
      await placeholder(12);
      const response = await request(t.app).get('/api/products/12');
      expectError(response, 404, 'PRODUCT_NOT_FOUND');
      expect(response.body.error.message).toBe('Product 12 not found');
    });

    it.each(['abc', '0', '01', '-1', '1.5', '2147483648', '99999999999'])('400 INVALID_ID for %s', async (id) => {
      expectError(await request(t.app).get(`/api/products/${id}`), 400, 'INVALID_ID');
    });
  });

  describe('PATCH /api/products/:id', () => {
    let id: number;
    beforeEach(async () => {
      id = (await create({ sku: 'KET-1', name: 'Kettle', description: 'Boils', price: { amountMinor: 2599, currency: 'EUR' } })).id;
      // Backdate, so the update's timestamp is visibly new.
      await t.db('products').where({ id }).update({ created_at: new Date('2020-01-01T00:00:00Z'), updated_at: new Date('2020-01-01T00:00:00Z') });
    });

    it('changes only the given fields, replaces the price, sets updatedAt, bumps the version → 200', async () => {
      const response = await request(t.app).patch(`/api/products/${id}`).send({ name: ' Kettle Pro ', price: { amountMinor: 3000, currency: 'USD' }, active: false });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        id,
        sku: 'KET-1',
        name: 'Kettle Pro',
        description: 'Boils',
        price: { amountMinor: 3000, currency: 'USD' },
        active: false,
        createdAt: '2020-01-01T00:00:00.000Z',
        updatedAt: expect.stringMatching(ISO_MS),
      });
      expect(Date.parse(response.body.updatedAt as string)).toBeGreaterThan(Date.parse('2024-01-01T00:00:00Z'));
      const row = await rowOf(id);
      expect(row).toMatchObject({ sku: 'KET-1', name: 'Kettle Pro', description: 'Boils', price_amount_minor: 3000, price_currency: 'USD', is_active: 0, version: 2 });
      expect((row.updated_at as Date).toISOString()).toBe(response.body.updatedAt);
    });

    it('changes the sku, and keeping its own sku is fine', async () => {
      expect((await request(t.app).patch(`/api/products/${id}`).send({ sku: 'KET-1' })).status).toBe(200);
      const response = await request(t.app).patch(`/api/products/${id}`).send({ sku: 'KET-2', description: '' });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ sku: 'KET-2', description: '' });
      expect(await rowOf(id)).toMatchObject({ sku: 'KET-2', description: '', version: 3 });
    });

    it('409 SKU_TAKEN for another product’s sku, nothing changed', async () => {
      await create({ sku: 'MUG-1', name: 'Mug', price: { amountMinor: 1, currency: 'EUR' } });
      expectError(await request(t.app).patch(`/api/products/${id}`).send({ sku: 'MUG-1', name: 'Renamed' }), 409, 'SKU_TAKEN');
      expect(await rowOf(id)).toMatchObject({ sku: 'KET-1', name: 'Kettle', version: 1 });
    });

    it.each([
      ['an empty patch', {}],
      ['an unknown field', { stock: 1 }],
      ['a partial price', { price: { amountMinor: 1 } }],
      ['an unknown field in price', { price: { amountMinor: 1, currency: 'EUR', tax: 1 } }],
      ['a null description', { description: null }],
      ['a blank name', { name: ' ' }],
    ])('400 VALIDATION_FAILED for %s, nothing changed', async (_name, body) => {
      expectError(await request(t.app).patch(`/api/products/${id}`).send(body), 400, 'VALIDATION_FAILED');
      const row = await rowOf(id);
      expect(row).toMatchObject({ sku: 'KET-1', name: 'Kettle', description: 'Boils', price_amount_minor: 2599, price_currency: 'EUR', is_active: 1, version: 1 });
      expect((row.updated_at as Date).toISOString()).toBe('2020-01-01T00:00:00.000Z');
    });

    it('404 PRODUCT_NOT_FOUND for an unknown id (even with a taken sku) or a placeholder; 400 before 404', async () => {
      expectError(await request(t.app).patch('/api/products/999999').send({ name: 'x' }), 404, 'PRODUCT_NOT_FOUND');
      expectError(await request(t.app).patch('/api/products/999999').send({ sku: 'KET-1' }), 404, 'PRODUCT_NOT_FOUND');
      expectError(await request(t.app).patch('/api/products/999999').send({}), 400, 'VALIDATION_FAILED');
      expectError(await request(t.app).patch('/api/products/abc').send({ name: 'x' }), 400, 'INVALID_ID');
      await placeholder(999_998);
      expectError(await request(t.app).patch('/api/products/999998').send({ name: 'x' }), 404, 'PRODUCT_NOT_FOUND');
      expect(await rowOf(999_998)).toMatchObject({ sku: null, name: null, version: 1 });
    });
  });

  describe('DELETE /api/products/:id', () => {
    it('deletes the product and its stock → 204', async () => {
      const { id } = await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });
      const response = await request(t.app).delete(`/api/products/${id}`);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect(await count()).toBe(0);
      expectError(await request(t.app).get(`/api/products/${id}`), 404, 'PRODUCT_NOT_FOUND');
      expectError(await request(t.app).get(`/api/products/${id}/stock`), 404, 'PRODUCT_NOT_FOUND');
    });

    it('deletes even with stock reserved: orders live in the monolith (legacy would answer 409 PRODUCT_HAS_ORDERS)', async () => {
      const { id } = await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });
      await t.db('products').where({ id }).update({ stock_quantity: 5, stock_reserved: 2 });
      expect((await request(t.app).delete(`/api/products/${id}`)).status).toBe(204);
      expect(await count()).toBe(0);
    });

    it('404 PRODUCT_NOT_FOUND for an unknown id or a placeholder (which stays); 400 INVALID_ID for a malformed one', async () => {
      expectError(await request(t.app).delete('/api/products/999999'), 404, 'PRODUCT_NOT_FOUND');
      expectError(await request(t.app).delete('/api/products/1e3'), 400, 'INVALID_ID');
      await placeholder(31);
      expectError(await request(t.app).delete('/api/products/31'), 404, 'PRODUCT_NOT_FOUND');
      expect(await count()).toBe(1);
    });
  });

  describe('GET /api/products/:id/stock', () => {
    it('returns quantity, reserved and available → 200', async () => {
      const { id } = await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });
      const fresh = await request(t.app).get(`/api/products/${id}/stock`);
      expect(fresh.status).toBe(200);
      expect(fresh.body).toEqual({ productId: id, quantity: 0, reserved: 0, available: 0 });
      await t.db('products').where({ id }).update({ stock_quantity: 7, stock_reserved: 3 });
      expect((await request(t.app).get(`/api/products/${id}/stock`)).body).toEqual({ productId: id, quantity: 7, reserved: 3, available: 4 });
    });

    it('reports a projected product whose stock has not arrived (legacy: no inventory row) as having nothing in stock', async () => {
      await t.services.legacyProjection.upsertProductFromLegacy({
        legacyId: 21, sku: 'OLD-1', name: 'Old', description: '', priceMinor: 1, currency: 'EUR', active: true, createdAt: new Date(), updatedAt: new Date(),
      });
      expect((await request(t.app).get('/api/products/21/stock')).body).toEqual({ productId: 21, quantity: 0, reserved: 0, available: 0 });
      expect(await stockRow(21)).toMatchObject({ stock_updated_at: null });
    });

    it('404 PRODUCT_NOT_FOUND for an unknown id or a placeholder; 400 INVALID_ID', async () => {
      expectError(await request(t.app).get('/api/products/999999/stock'), 404, 'PRODUCT_NOT_FOUND');
      await placeholder(41);
      expectError(await request(t.app).get('/api/products/41/stock'), 404, 'PRODUCT_NOT_FOUND');
      expectError(await request(t.app).get('/api/products/0/stock'), 400, 'INVALID_ID');
    });
  });

  describe('PUT /api/products/:id/stock', () => {
    let id: number;
    beforeEach(async () => {
      id = (await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } })).id;
      await t.db('products').where({ id }).update({ stock_quantity: 10, stock_reserved: 4, stock_updated_at: new Date('2020-01-01T00:00:00Z') });
    });

    it('sets the quantity, keeps reserved, records the time, bumps the version → 200', async () => {
      const response = await request(t.app).put(`/api/products/${id}/stock`).send({ quantity: 25 });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ productId: id, quantity: 25, reserved: 4, available: 21 });
      const row = await stockRow(id);
      expect(row).toMatchObject({ stock_quantity: 25, stock_reserved: 4, version: 2 });
      expect(row?.stock_updated_at?.getTime()).toBeGreaterThan(Date.parse('2024-01-01T00:00:00Z'));
      // The product's own updatedAt is untouched, as legacy's products row is by a stock change.
      const product = (await request(t.app).get(`/api/products/${id}`)).body as { createdAt: string; updatedAt: string };
      expect(product.updatedAt).toBe(product.createdAt);
    });

    it('accepts exactly the reserved quantity and the maximum', async () => {
      expect((await request(t.app).put(`/api/products/${id}/stock`).send({ quantity: 4 })).body).toEqual({ productId: id, quantity: 4, reserved: 4, available: 0 });
      expect((await request(t.app).put(`/api/products/${id}/stock`).send({ quantity: 1e9 })).status).toBe(200);
      expect(await stockRow(id)).toMatchObject({ stock_quantity: 1e9, stock_reserved: 4, version: 3 });
    });

    it('409 STOCK_BELOW_RESERVED, nothing changed', async () => {
      const response = await request(t.app).put(`/api/products/${id}/stock`).send({ quantity: 3 });
      expectError(response, 409, 'STOCK_BELOW_RESERVED');
      expect(response.body.error.message).toBe('Quantity 3 is below the 4 units reserved by open orders');
      expect(await stockRow(id)).toEqual({ stock_quantity: 10, stock_reserved: 4, stock_updated_at: new Date('2020-01-01T00:00:00Z'), version: 1 });
    });

    it('sets the stock of a projected product whose stock had not arrived (legacy: creates the inventory row)', async () => {
      await t.services.legacyProjection.upsertProductFromLegacy({
        legacyId: 500, sku: 'OLD-1', name: 'Old', description: '', priceMinor: 1, currency: 'EUR', active: true, createdAt: new Date(), updatedAt: new Date(),
      });
      const response = await request(t.app).put('/api/products/500/stock').send({ quantity: 5 });
      expect(response.body).toEqual({ productId: 500, quantity: 5, reserved: 0, available: 5 });
      expect(await stockRow(500)).toMatchObject({ stock_quantity: 5, stock_reserved: 0, stock_updated_at: expect.any(Date), version: 2 });
    });

    it.each([
      ['negative', { quantity: -1 }],
      ['over 10^9', { quantity: 1e9 + 1 }],
      ['fractional', { quantity: 2.5 }],
      ['a string', { quantity: '5' }],
      ['missing', {}],
      ['with an unknown field', { quantity: 5, reserved: 0 }],
    ])('400 VALIDATION_FAILED for a quantity %s, nothing changed', async (_name, body) => {
      expectError(await request(t.app).put(`/api/products/${id}/stock`).send(body), 400, 'VALIDATION_FAILED');
      expect(await stockRow(id)).toMatchObject({ stock_quantity: 10, stock_reserved: 4, version: 1 });
    });

    it('404 PRODUCT_NOT_FOUND (no row created, a placeholder untouched); 400 before 404', async () => {
      expectError(await request(t.app).put('/api/products/999999/stock').send({ quantity: 1 }), 404, 'PRODUCT_NOT_FOUND');
      expect(await stockRow(999999)).toBeUndefined();
      expectError(await request(t.app).put('/api/products/999999/stock').send({ quantity: -1 }), 400, 'VALIDATION_FAILED');
      expectError(await request(t.app).put('/api/products/x/stock').send({ quantity: 1 }), 400, 'INVALID_ID');
      await placeholder(77);
      expectError(await request(t.app).put('/api/products/77/stock').send({ quantity: 100 }), 404, 'PRODUCT_NOT_FOUND');
      expect(await stockRow(77)).toMatchObject({ stock_quantity: 5, stock_reserved: 1, version: 1 });
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
