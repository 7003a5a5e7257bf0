import { describe, expect, it } from 'vitest';
import { parseInput, pathIdSchema } from '@strangler/platform';
import {
  createProductSchema,
  listProductsQuerySchema,
  setStockSchema,
  updateProductSchema,
} from './products-schema.js';

const valid = { sku: 'A-1', name: 'Cup', price: { amountMinor: 100, currency: 'EUR' } };

function rejects(schema: Parameters<typeof parseInput>[0], input: unknown, code = 'VALIDATION_FAILED'): void {
  expect(() => parseInput(schema, input, code)).toThrow(expect.objectContaining({ statusCode: 400, code }));
}

describe('products schemas', () => {
  it('path ids: canonical decimal within INT range', () => {
    expect(parseInput(pathIdSchema, '1')).toBe(1);
    expect(parseInput(pathIdSchema, '2147483647')).toBe(2147483647);
    for (const bad of ['0', '01', '-1', '1.0', 'abc', '2147483648', '99999999999', '', ' 1']) rejects(pathIdSchema, bad, 'INVALID_ID');
  });

  it('create: defaults description and active, trims the name', () => {
    expect(parseInput(createProductSchema, { ...valid, name: '  Cup  ' })).toEqual({ ...valid, description: '', active: true });
    expect(parseInput(createProductSchema, { ...valid, description: 'd', active: false })).toMatchObject({ description: 'd', active: false });
  });

  it('create: limits', () => {
    expect(parseInput(createProductSchema, { ...valid, sku: `A${'-'.repeat(63)}` }).sku).toHaveLength(64);
    expect(parseInput(createProductSchema, { ...valid, price: { amountMinor: 1e12, currency: 'USD' } }).price.amountMinor).toBe(1e12);
    expect(parseInput(createProductSchema, { ...valid, name: 'x'.repeat(200), description: 'y'.repeat(5000) }).name).toHaveLength(200);
  });

  it.each([
    ['sku lower case', { ...valid, sku: 'a-1' }],
    ['sku starting with -', { ...valid, sku: '-A' }],
    ['sku too long', { ...valid, sku: 'A'.repeat(65) }],
    ['sku empty', { ...valid, sku: '' }],
    ['name blank', { ...valid, name: '   ' }],
    ['name too long', { ...valid, name: 'x'.repeat(201) }],
    ['description too long', { ...valid, description: 'x'.repeat(5001) }],
    ['description null', { ...valid, description: null }],
    ['price missing', { sku: 'A', name: 'Cup' }],
    ['amount fractional', { ...valid, price: { amountMinor: 1.5, currency: 'EUR' } }],
    ['amount negative', { ...valid, price: { amountMinor: -1, currency: 'EUR' } }],
    ['amount too large', { ...valid, price: { amountMinor: 1e12 + 1, currency: 'EUR' } }],
    ['amount as string', { ...valid, price: { amountMinor: '100', currency: 'EUR' } }],
    ['currency lower case', { ...valid, price: { amountMinor: 1, currency: 'eur' } }],
    ['currency too long', { ...valid, price: { amountMinor: 1, currency: 'EURO' } }],
    ['unknown field in price', { ...valid, price: { amountMinor: 1, currency: 'EUR', tax: 0 } }],
    ['unknown field', { ...valid, stock: 5 }],
    ['active as string', { ...valid, active: 'true' }],
    ['not an object', [valid]],
    ['no body', undefined],
  ])('create rejects %s', (_name, body) => {
    rejects(createProductSchema, body);
  });

  it('update: any non-empty subset, no defaults', () => {
    expect(parseInput(updateProductSchema, { active: false })).toEqual({ active: false });
    expect(parseInput(updateProductSchema, { description: '' })).toEqual({ description: '' });
    rejects(updateProductSchema, {});
    rejects(updateProductSchema, { price: { amountMinor: 5 } });
    rejects(updateProductSchema, { id: 3 });
  });

  it('stock: integer 0..1e9, nothing else', () => {
    expect(parseInput(setStockSchema, { quantity: 0 })).toEqual({ quantity: 0 });
    expect(parseInput(setStockSchema, { quantity: 1e9 })).toEqual({ quantity: 1e9 });
    for (const bad of [{ quantity: -1 }, { quantity: 1e9 + 1 }, { quantity: 1.5 }, { quantity: '5' }, {}, { quantity: 1, reserved: 0 }]) {
      rejects(setStockSchema, bad);
    }
  });

  it('list query: defaults, bounds, unknown parameters ignored', () => {
    expect(parseInput(listProductsQuerySchema, {})).toEqual({ page: 1, pageSize: 20 });
    expect(parseInput(listProductsQuerySchema, { page: '3', pageSize: '100', q: 'x', sort: 'name' })).toEqual({ page: 3, pageSize: 100, q: 'x' });
    for (const bad of [{ page: '0' }, { page: '-1' }, { page: '1.5' }, { page: 'x' }, { pageSize: '0' }, { pageSize: '101' }, { page: ['1', '2'] }, { q: '' }, { q: 'x'.repeat(101) }]) {
      rejects(listProductsQuerySchema, bad);
    }
  });
});
