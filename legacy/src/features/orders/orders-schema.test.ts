import { describe, expect, it } from 'vitest';
import { parseInput, pathIdSchema } from '@strangler/platform';
import { listOrdersQuerySchema, placeOrderSchema } from './orders-schema.js';

function rejects(schema: Parameters<typeof parseInput>[0], input: unknown): void {
  expect(() => parseInput(schema, input)).toThrow(expect.objectContaining({ statusCode: 400, code: 'VALIDATION_FAILED' }));
}

describe('orders schemas', () => {
  it('path ids: canonical decimal within INT range', () => {
    expect(parseInput(pathIdSchema, '42')).toBe(42);
    for (const bad of ['0', '007', '-3', 'x', '2147483648']) rejects(pathIdSchema, bad);
  });

  it('accepts 1..50 items of quantity 1..1000', () => {
    const items = Array.from({ length: 50 }, (_, i) => ({ productId: i + 1, quantity: 1000 }));
    expect(parseInput(placeOrderSchema, { items })).toEqual({ items });
  });

  it.each([
    ['no items', { items: [] }],
    ['51 items', { items: Array.from({ length: 51 }, (_, i) => ({ productId: i + 1, quantity: 1 })) }],
    ['quantity 0', { items: [{ productId: 1, quantity: 0 }] }],
    ['quantity 1001', { items: [{ productId: 1, quantity: 1001 }] }],
    ['fractional quantity', { items: [{ productId: 1, quantity: 1.5 }] }],
    ['productId 0', { items: [{ productId: 0, quantity: 1 }] }],
    ['productId as string', { items: [{ productId: '1', quantity: 1 }] }],
    ['productId beyond INT', { items: [{ productId: 2147483648, quantity: 1 }] }],
    ['unknown item field', { items: [{ productId: 1, quantity: 1, price: 1 }] }],
    ['unknown field', { items: [{ productId: 1, quantity: 1 }], userId: 2 }],
    ['items not an array', { items: { productId: 1, quantity: 1 } }],
    ['no body', undefined],
  ])('rejects %s', (_name, body) => {
    rejects(placeOrderSchema, body);
  });

  it('list query: defaults and bounds; unknown parameters ignored', () => {
    expect(parseInput(listOrdersQuerySchema, { status: 'paid' })).toEqual({ page: 1, pageSize: 20 });
    for (const bad of [{ page: '0' }, { pageSize: '101' }, { page: 'one' }]) rejects(listOrdersQuerySchema, bad);
  });
});
