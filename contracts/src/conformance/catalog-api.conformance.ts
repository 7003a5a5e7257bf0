import type { RequestListener } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CATALOG_STATES } from '../provider-states.js';
import type { StateHandlers } from '../provider/states/state-params.js';
import type { CatalogStorage } from './storage/catalog-storage.js';

/** One implementation of the catalog API, as the conformance suite drives it. */
export interface CatalogApiUnderTest {
  app: RequestListener;
  /** The catalog provider states: how the suite empties the catalog and sets a product's stock. */
  stateHandlers: StateHandlers;
  /** What it stored, read behind the API. */
  storage: CatalogStorage;
  drop(): Promise<void>;
}

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function expectError(response: request.Response, status: number, code: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers['content-type']).toMatch(/application\/json/);
  expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
}

/**
 * The public products API every implementation of the catalog slice must serve identically: same requests, same
 * answers; and behind it, what each stored. Products are created through the API; the catalog is emptied and stock
 * is set through the provider states.
 */
export function describeCatalogApiConformance(implementation: string, build: () => Promise<CatalogApiUnderTest>): void {
  describe(`catalog API conformance: ${implementation}`, () => {
    let api: CatalogApiUnderTest;
    beforeAll(async () => {
      api = await build();
    });
    afterAll(async () => {
      await api?.drop();
    });
    beforeEach(async () => {
      await api.stateHandlers[CATALOG_STATES.onlyProducts]!({ products: [] });
    });

    async function create(body: object): Promise<{ id: number; [key: string]: unknown }> {
      const response = await request(api.app).post('/api/products').send(body);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      return response.body as { id: number };
    }

    /** Product `id` (re-put by the state as a stock item) with exactly this stock. */
    async function setStock(id: number, quantity: number, reserved: number): Promise<void> {
      await api.stateHandlers[CATALOG_STATES.stock]!({ id, quantity, reserved });
    }

    describe('POST /api/products', () => {
      it('creates the product and its empty stock → 201, exact shape, Location', async () => {
        const response = await request(api.app)
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
        expect(await api.storage.product(id)).toEqual({
          sku: 'KET-1',
          name: 'Kettle',
          description: 'Boils',
          priceMinor: 2599,
          currency: 'EUR',
          active: false,
          createdAt: response.body.createdAt,
          updatedAt: response.body.createdAt,
        });
        expect(await api.storage.stock(id)).toEqual({ quantity: 0, reserved: 0 });
      });

      it('defaults description to "" and active to true; accepts the largest price', async () => {
        const body = await create({ sku: 'MUG-1', name: 'Mug', price: { amountMinor: 1e12, currency: 'USD' } });
        expect(body).toMatchObject({ description: '', active: true, price: { amountMinor: 1e12, currency: 'USD' } });
        expect(await api.storage.product(body.id)).toMatchObject({ description: '', active: true, priceMinor: 1e12 });
      });

      it('refuses a taken sku → 409 SKU_TAKEN, nothing inserted', async () => {
        await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });
        const response = await request(api.app).post('/api/products').send({ sku: 'KET-1', name: 'Other', price: { amountMinor: 2, currency: 'EUR' } });
        expectError(response, 409, 'SKU_TAKEN');
        expect(response.body.error.message).toBe('SKU KET-1 is already taken');
        expect(await api.storage.counts()).toEqual({ products: 1, stock: 1 });
      });

      it('gives two concurrent creates of one sku exactly one 201 and one 409', async () => {
        const body = { sku: 'RACE-1', name: 'Race', price: { amountMinor: 1, currency: 'EUR' } };
        const responses = await Promise.all([request(api.app).post('/api/products').send(body), request(api.app).post('/api/products').send(body)]);
        expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
        expect(await api.storage.counts()).toEqual({ products: 1, stock: 1 });
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
        expectError(await request(api.app).post('/api/products').send(body), 400, 'VALIDATION_FAILED');
        expect(await api.storage.counts()).toEqual({ products: 0, stock: 0 });
      });

      it('refuses a request without a JSON body → 400 VALIDATION_FAILED', async () => {
        expectError(await request(api.app).post('/api/products'), 400, 'VALIDATION_FAILED');
        expect(await api.storage.counts()).toEqual({ products: 0, stock: 0 });
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
        const response = await request(api.app).get('/api/products');
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
        const response = await request(api.app).get('/api/products?page=2&pageSize=2&sort=name');
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ page: 2, pageSize: 2, total: 5 });
        expect((response.body.items as Array<{ sku: string }>).map((p) => p.sku)).toEqual(['TOWEL-1', 'PATH-1']);
        const beyond = await request(api.app).get('/api/products?page=9&pageSize=2');
        expect(beyond.body).toEqual({ items: [], page: 9, pageSize: 2, total: 5 });
      });

      it('searches name or sku case-insensitively; total counts the matches', async () => {
        const response = await request(api.app).get('/api/products?q=tEa&pageSize=2');
        expect(response.status).toBe(200);
        expect((response.body.items as Array<{ sku: string }>).map((p) => p.sku)).toEqual(['TEA-GREEN', 'PATH-1']);
        expect(response.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
      });

      it('takes %, _ and \\ in the search term literally', async () => {
        const skus = async (q: string): Promise<string[]> => {
          const response = await request(api.app).get('/api/products').query({ q });
          expect(response.status).toBe(200);
          return (response.body.items as Array<{ sku: string }>).map((p) => p.sku);
        };
        expect(await skus('%')).toEqual(['TOWEL-1']);
        expect(await skus('n_t')).toEqual(['TOWEL-1']);
        expect(await skus('gr_en')).toEqual([]);
        expect(await skus('\\')).toEqual(['PATH-1']);
        expect(await skus('c:\\t')).toEqual(['PATH-1']);
      });

      it('ignores accents, as utf8mb4_unicode_ci does', async () => {
        await create({ sku: 'CAFE-1', name: 'Café Crème', price: { amountMinor: 1, currency: 'EUR' } });
        const response = await request(api.app).get('/api/products').query({ q: 'CAFE creme' });
        expect((response.body.items as Array<{ sku: string }>).map((p) => p.sku)).toEqual(['CAFE-1']);
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
        expectError(await request(api.app).get(`/api/products?${query}`), 400, 'VALIDATION_FAILED');
      });
    });

    describe('GET /api/products/:id', () => {
      it('returns the product → 200, the same shape as on create', async () => {
        const created = await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });
        const response = await request(api.app).get(`/api/products/${created.id}`);
        expect(response.status).toBe(200);
        expect(response.body).toEqual(created);
      });

      it('404 PRODUCT_NOT_FOUND for an unknown id', async () => {
        expectError(await request(api.app).get('/api/products/2147483647'), 404, 'PRODUCT_NOT_FOUND');
      });

      it.each(['abc', '0', '01', '-1', '1.5', '2147483648', '99999999999'])('400 INVALID_ID for %s', async (id) => {
        expectError(await request(api.app).get(`/api/products/${id}`), 400, 'INVALID_ID');
      });
    });

    describe('PATCH /api/products/:id', () => {
      let id: number;
      beforeEach(async () => {
        id = (await create({ sku: 'KET-1', name: 'Kettle', description: 'Boils', price: { amountMinor: 2599, currency: 'EUR' } })).id;
        // Backdate, so the update's timestamp is visibly new.
        await api.storage.backdate(id, new Date('2020-01-01T00:00:00Z'));
      });

      it('changes only the given fields, replaces the price, sets updatedAt → 200', async () => {
        const response = await request(api.app).patch(`/api/products/${id}`).send({ name: ' Kettle Pro ', price: { amountMinor: 3000, currency: 'USD' }, active: false });
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
        const stored = await api.storage.product(id);
        expect(stored).toMatchObject({ sku: 'KET-1', name: 'Kettle Pro', description: 'Boils', priceMinor: 3000, currency: 'USD', active: false });
        expect(stored?.updatedAt).toBe(response.body.updatedAt);
      });

      it('changes the sku, and keeping its own sku is fine', async () => {
        expect((await request(api.app).patch(`/api/products/${id}`).send({ sku: 'KET-1' })).status).toBe(200);
        const response = await request(api.app).patch(`/api/products/${id}`).send({ sku: 'KET-2', description: '' });
        expect(response.status).toBe(200);
        expect(response.body).toMatchObject({ sku: 'KET-2', description: '' });
        expect(await api.storage.product(id)).toMatchObject({ sku: 'KET-2', description: '' });
      });

      it('409 SKU_TAKEN for another product’s sku, nothing changed', async () => {
        await create({ sku: 'MUG-1', name: 'Mug', price: { amountMinor: 1, currency: 'EUR' } });
        expectError(await request(api.app).patch(`/api/products/${id}`).send({ sku: 'MUG-1', name: 'Renamed' }), 409, 'SKU_TAKEN');
        expect(await api.storage.product(id)).toMatchObject({ sku: 'KET-1', name: 'Kettle' });
      });

      it.each([
        ['an empty patch', {}],
        ['an unknown field', { stock: 1 }],
        ['a partial price', { price: { amountMinor: 1 } }],
        ['an unknown field in price', { price: { amountMinor: 1, currency: 'EUR', tax: 1 } }],
        ['a null description', { description: null }],
        ['a blank name', { name: ' ' }],
      ])('400 VALIDATION_FAILED for %s, nothing changed', async (_name, body) => {
        expectError(await request(api.app).patch(`/api/products/${id}`).send(body), 400, 'VALIDATION_FAILED');
        const stored = await api.storage.product(id);
        expect(stored).toMatchObject({ sku: 'KET-1', name: 'Kettle', description: 'Boils', priceMinor: 2599, currency: 'EUR', active: true });
        expect(stored?.updatedAt).toBe('2020-01-01T00:00:00.000Z');
      });

      it('404 PRODUCT_NOT_FOUND for an unknown id (even with a taken sku); 400 before 404', async () => {
        expectError(await request(api.app).patch('/api/products/999999').send({ name: 'x' }), 404, 'PRODUCT_NOT_FOUND');
        expectError(await request(api.app).patch('/api/products/999999').send({ sku: 'KET-1' }), 404, 'PRODUCT_NOT_FOUND');
        expectError(await request(api.app).patch('/api/products/999999').send({}), 400, 'VALIDATION_FAILED');
        expectError(await request(api.app).patch('/api/products/abc').send({ name: 'x' }), 400, 'INVALID_ID');
      });
    });

    describe('DELETE /api/products/:id', () => {
      it('deletes the product and its stock → 204', async () => {
        const { id } = await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });
        const response = await request(api.app).delete(`/api/products/${id}`);
        expect(response.status).toBe(204);
        expect(response.text).toBe('');
        expect(await api.storage.counts()).toEqual({ products: 0, stock: 0 });
        expectError(await request(api.app).get(`/api/products/${id}`), 404, 'PRODUCT_NOT_FOUND');
        expectError(await request(api.app).get(`/api/products/${id}/stock`), 404, 'PRODUCT_NOT_FOUND');
      });

      it('404 PRODUCT_NOT_FOUND for an unknown id; 400 INVALID_ID for a malformed one', async () => {
        expectError(await request(api.app).delete('/api/products/999999'), 404, 'PRODUCT_NOT_FOUND');
        expectError(await request(api.app).delete('/api/products/1e3'), 400, 'INVALID_ID');
      });
    });

    describe('GET /api/products/:id/stock', () => {
      it('returns quantity, reserved and available → 200', async () => {
        const { id } = await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } });
        const fresh = await request(api.app).get(`/api/products/${id}/stock`);
        expect(fresh.status).toBe(200);
        expect(fresh.body).toEqual({ productId: id, quantity: 0, reserved: 0, available: 0 });
        await setStock(id, 7, 3);
        expect((await request(api.app).get(`/api/products/${id}/stock`)).body).toEqual({ productId: id, quantity: 7, reserved: 3, available: 4 });
      });

      it('404 PRODUCT_NOT_FOUND; 400 INVALID_ID', async () => {
        expectError(await request(api.app).get('/api/products/999999/stock'), 404, 'PRODUCT_NOT_FOUND');
        expectError(await request(api.app).get('/api/products/0/stock'), 400, 'INVALID_ID');
      });
    });

    describe('PUT /api/products/:id/stock', () => {
      let id: number;
      beforeEach(async () => {
        id = (await create({ sku: 'KET-1', name: 'Kettle', price: { amountMinor: 1, currency: 'EUR' } })).id;
        await setStock(id, 10, 4);
      });

      it('sets the quantity, keeps reserved → 200; the product’s own updatedAt is untouched', async () => {
        const response = await request(api.app).put(`/api/products/${id}/stock`).send({ quantity: 25 });
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ productId: id, quantity: 25, reserved: 4, available: 21 });
        expect(await api.storage.stock(id)).toEqual({ quantity: 25, reserved: 4 });
        const product = (await request(api.app).get(`/api/products/${id}`)).body as { createdAt: string; updatedAt: string };
        expect(product.updatedAt).toBe(product.createdAt);
      });

      it('accepts exactly the reserved quantity and the maximum', async () => {
        expect((await request(api.app).put(`/api/products/${id}/stock`).send({ quantity: 4 })).body).toEqual({ productId: id, quantity: 4, reserved: 4, available: 0 });
        expect((await request(api.app).put(`/api/products/${id}/stock`).send({ quantity: 1e9 })).status).toBe(200);
        expect(await api.storage.stock(id)).toEqual({ quantity: 1e9, reserved: 4 });
      });

      it('409 STOCK_BELOW_RESERVED, nothing changed', async () => {
        const response = await request(api.app).put(`/api/products/${id}/stock`).send({ quantity: 3 });
        expectError(response, 409, 'STOCK_BELOW_RESERVED');
        expect(response.body.error.message).toBe('Quantity 3 is below the 4 units reserved by open orders');
        expect(await api.storage.stock(id)).toEqual({ quantity: 10, reserved: 4 });
      });

      it.each([
        ['negative', { quantity: -1 }],
        ['over 10^9', { quantity: 1e9 + 1 }],
        ['fractional', { quantity: 2.5 }],
        ['a string', { quantity: '5' }],
        ['missing', {}],
        ['with an unknown field', { quantity: 5, reserved: 0 }],
      ])('400 VALIDATION_FAILED for a quantity %s, nothing changed', async (_name, body) => {
        expectError(await request(api.app).put(`/api/products/${id}/stock`).send(body), 400, 'VALIDATION_FAILED');
        expect(await api.storage.stock(id)).toEqual({ quantity: 10, reserved: 4 });
      });

      it('404 PRODUCT_NOT_FOUND (no row created); 400 before 404', async () => {
        expectError(await request(api.app).put('/api/products/999999/stock').send({ quantity: 1 }), 404, 'PRODUCT_NOT_FOUND');
        expect(await api.storage.stock(999999)).toBeUndefined();
        expect(await api.storage.product(999999)).toBeUndefined();
        expectError(await request(api.app).put('/api/products/999999/stock').send({ quantity: -1 }), 400, 'VALIDATION_FAILED');
        expectError(await request(api.app).put('/api/products/x/stock').send({ quantity: 1 }), 400, 'INVALID_ID');
      });
    });
  });
}
