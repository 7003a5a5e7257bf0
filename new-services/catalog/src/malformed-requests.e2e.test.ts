import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createTestApp, type TestApp } from './testing/test-app.js';

/**
 * Bad input gets a clear 4xx with a JSON error code and changes nothing — across every endpoint of this slice.
 * One fixture, one table; the table is checksummed before and after each request.
 */
describe('malformed and refused requests', () => {
  let t: TestApp;
  // Assigned in beforeAll; the table's closures read them when each case runs.
  let stocked = 0;
  let other = 0;
  const placeholder = 900;

  async function checksum(): Promise<string> {
    const [rows] = (await t.db.raw('CHECKSUM TABLE products')) as [Array<{ Table: string; Checksum: number }>];
    return rows.map((row) => `${row.Table}=${row.Checksum}`).join(' ');
  }

  beforeAll(async () => {
    t = await createTestApp('catalog_malformed');
    const base = { description: '', price_currency: 'EUR', stock_updated_at: new Date() };
    const [p1] = await t.db('products').insert({ ...base, sku: 'SKU-1', name: 'Kettle', price_amount_minor: 2500, stock_quantity: 5, stock_reserved: 2 });
    const [p2] = await t.db('products').insert({ ...base, sku: 'SKU-2', name: 'Teapot', price_amount_minor: 1500, stock_quantity: 3 });
    stocked = p1 as number;
    other = p2 as number;
    // Stock of a legacy product whose product event has not arrived: not a product yet.
    await t.services.legacyProjection.upsertStockFromLegacy({ legacyProductId: placeholder, quantity: 4, reserved: 1, updatedAt: new Date() });
  });

  afterAll(async () => {
    await t.drop();
  });

  interface Case {
    name: string;
    method: 'get' | 'post' | 'patch' | 'put' | 'delete';
    path: () => string;
    body?: unknown;
    raw?: { type: string; data: string };
    status: number;
    code: string;
  }

  const valid = { sku: 'SKU-9', name: 'Cup', price: { amountMinor: 100, currency: 'EUR' } };

  const cases: Case[] = [
    { name: 'malformed JSON', method: 'post', path: () => '/api/products', raw: { type: 'application/json', data: '{"sku":' }, status: 400, code: 'MALFORMED_JSON' },
    { name: 'body that is not JSON at all', method: 'post', path: () => '/api/products', raw: { type: 'text/plain', data: 'sku=SKU-9' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'JSON in an unsupported charset', method: 'post', path: () => '/api/products', raw: { type: 'application/json; charset=latin1', data: JSON.stringify(valid) }, status: 415, code: 'UNSUPPORTED_ENCODING' },
    { name: 'JSON array instead of object', method: 'post', path: () => '/api/products', body: [valid], status: 400, code: 'VALIDATION_FAILED' },
    { name: 'missing price', method: 'post', path: () => '/api/products', body: { sku: 'SKU-9', name: 'Cup' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'extra field', method: 'post', path: () => '/api/products', body: { ...valid, stock: 5 }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'negative price', method: 'post', path: () => '/api/products', body: { ...valid, price: { amountMinor: -1, currency: 'EUR' } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'fractional minor units', method: 'post', path: () => '/api/products', body: { ...valid, price: { amountMinor: 1.5, currency: 'EUR' } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'price as a string', method: 'post', path: () => '/api/products', body: { ...valid, price: { amountMinor: '100', currency: 'EUR' } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'lower-case currency', method: 'post', path: () => '/api/products', body: { ...valid, price: { amountMinor: 100, currency: 'eur' } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'sku with spaces', method: 'post', path: () => '/api/products', body: { ...valid, sku: 'SKU 9' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'sku over 64 characters', method: 'post', path: () => '/api/products', body: { ...valid, sku: 'S'.repeat(65) }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'name too long', method: 'post', path: () => '/api/products', body: { ...valid, name: 'x'.repeat(201) }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'active as a string', method: 'post', path: () => '/api/products', body: { ...valid, active: 'true' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'duplicate sku', method: 'post', path: () => '/api/products', body: { ...valid, sku: 'SKU-1' }, status: 409, code: 'SKU_TAKEN' },
    { name: 'body over the size limit', method: 'post', path: () => '/api/products', body: { ...valid, description: 'x'.repeat(200_000) }, status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'non-numeric id', method: 'get', path: () => '/api/products/abc', status: 400, code: 'INVALID_ID' },
    { name: 'zero id', method: 'get', path: () => '/api/products/0', status: 400, code: 'INVALID_ID' },
    { name: 'id with a leading zero', method: 'get', path: () => `/api/products/0${stocked}`, status: 400, code: 'INVALID_ID' },
    { name: 'id beyond INT range', method: 'get', path: () => '/api/products/99999999999', status: 400, code: 'INVALID_ID' },
    { name: 'unknown product', method: 'get', path: () => '/api/products/999999', status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'stock-only placeholder as a product', method: 'get', path: () => `/api/products/${placeholder}`, status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'page size over the maximum', method: 'get', path: () => '/api/products?pageSize=1000', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'negative page', method: 'get', path: () => '/api/products?page=-1', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'repeated page', method: 'get', path: () => '/api/products?page=1&page=2', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'empty search term', method: 'get', path: () => '/api/products?q=', status: 400, code: 'VALIDATION_FAILED' },
    { name: 'search term too long', method: 'get', path: () => `/api/products?q=${'x'.repeat(101)}`, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'empty patch', method: 'patch', path: () => `/api/products/${stocked}`, body: {}, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'malformed JSON in a patch', method: 'patch', path: () => `/api/products/${stocked}`, raw: { type: 'application/json', data: '{"name":"x",}' }, status: 400, code: 'MALFORMED_JSON' },
    { name: 'extra field nested in price', method: 'patch', path: () => `/api/products/${stocked}`, body: { price: { amountMinor: 1, currency: 'EUR', tax: 1 } }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'null description', method: 'patch', path: () => `/api/products/${stocked}`, body: { description: null }, status: 400, code: 'VALIDATION_FAILED' },
    { name: "patch to another product's sku", method: 'patch', path: () => `/api/products/${stocked}`, body: { sku: 'SKU-2', name: 'Renamed' }, status: 409, code: 'SKU_TAKEN' },
    { name: 'patch of an unknown product', method: 'patch', path: () => '/api/products/999999', body: { sku: 'SKU-2' }, status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'patch of a placeholder', method: 'patch', path: () => `/api/products/${placeholder}`, body: valid, status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'delete an unknown product', method: 'delete', path: () => '/api/products/999999', status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'delete with a malformed id', method: 'delete', path: () => '/api/products/1e3', status: 400, code: 'INVALID_ID' },
    { name: 'delete a placeholder', method: 'delete', path: () => `/api/products/${placeholder}`, status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'negative stock', method: 'put', path: () => `/api/products/${stocked}/stock`, body: { quantity: -1 }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'stock as a string', method: 'put', path: () => `/api/products/${stocked}/stock`, body: { quantity: '5' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'stock with reserved', method: 'put', path: () => `/api/products/${other}/stock`, body: { quantity: 5, reserved: 0 }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'stock below what is reserved', method: 'put', path: () => `/api/products/${stocked}/stock`, body: { quantity: 1 }, status: 409, code: 'STOCK_BELOW_RESERVED' },
    { name: 'stock of an unknown product', method: 'get', path: () => '/api/products/999999/stock', status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'stock of a placeholder', method: 'get', path: () => `/api/products/${placeholder}/stock`, status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'set the stock of a placeholder', method: 'put', path: () => `/api/products/${placeholder}/stock`, body: { quantity: 50 }, status: 404, code: 'PRODUCT_NOT_FOUND' },
    { name: 'stock with an invalid id', method: 'put', path: () => '/api/products/-1/stock', body: { quantity: 5 }, status: 400, code: 'INVALID_ID' },
    { name: "the monolith's users route (not this slice)", method: 'get', path: () => '/api/users/1', status: 404, code: 'ROUTE_NOT_FOUND' },
    { name: 'unknown route', method: 'get', path: () => '/api/nowhere', status: 404, code: 'ROUTE_NOT_FOUND' },
  ];

  it('has a table of at least 15 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(15);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s → 4xx with an error code, nothing changed', async (_name, c) => {
    const before = await checksum();
    const call = request(t.app)[c.method](c.path());
    const response = c.raw ? await call.set('content-type', c.raw.type).send(c.raw.data) : c.body === undefined ? await call : await call.send(c.body as object);
    expect(response.status, JSON.stringify(response.body)).toBe(c.status);
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(response.body).toEqual({ error: { code: c.code, message: expect.any(String) } });
    expect(response.body.error.message.length).toBeGreaterThan(0);
    expect(await checksum()).toBe(before);
  });

  it('the fixture is intact at the end', async () => {
    expect(await t.db('products').select('id', 'sku', 'stock_quantity', 'stock_reserved', 'version').orderBy('id')).toEqual([
      { id: stocked, sku: 'SKU-1', stock_quantity: 5, stock_reserved: 2, version: 1 },
      { id: other, sku: 'SKU-2', stock_quantity: 3, stock_reserved: 0, version: 1 },
      { id: placeholder, sku: null, stock_quantity: 4, stock_reserved: 1, version: 1 },
    ]);
  });
});
