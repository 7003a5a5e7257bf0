import { describe, expect, it } from 'vitest';
import { generateCatalog } from './catalog-seed.js';
import { parseSeedArgs, SEED_DEFAULTS } from './seed-args.js';
import { createRng } from './random.js';

describe('generateCatalog', () => {
  it('is pinned to legacy’s seed: same seed and size, same products (values taken from legacy’s generator)', () => {
    const rows = generateCatalog({ products: 50, seed: 42 });
    expect(rows[0]).toMatchObject({
      id: 1,
      legacy_id: 1,
      sku: 'SKU-000001',
      name: 'Rustic Ceramic Speaker',
      description: 'Rustic speaker made of ceramic. Ships flat-packed in recyclable packaging.',
      price_amount_minor: 499,
      price_currency: 'EUR',
      is_active: true,
      created_at: new Date('2024-01-01T13:05:06.878Z'),
      updated_at: new Date('2024-01-01T13:05:06.878Z'),
    });
    expect(rows[49]).toMatchObject({
      id: 50,
      sku: 'SKU-000050',
      name: 'Classic Linen Backpack',
      price_amount_minor: 15699,
      created_at: new Date('2024-01-30T22:09:55.647Z'),
      updated_at: new Date('2024-02-04T08:32:17.590Z'),
    });
    expect(generateCatalog({ products: 3, seed: 7 }).map((row) => [row.name, row.price_amount_minor, row.updated_at.toISOString()])).toEqual([
      ['Vintage Oak Scarf', 1299, '2024-06-18T00:35:24.600Z'],
      ['Rustic Bamboo Jacket', 4599, '2024-03-08T10:21:35.533Z'],
      ['Vintage Linen Shelf', 2299, '2024-01-28T09:11:49.714Z'],
    ]);
  });

  it('repeats for the same options and differs for another seed', () => {
    expect(generateCatalog({ products: 30, seed: 5 })).toEqual(generateCatalog({ products: 30, seed: 5 }));
    expect(generateCatalog({ products: 30, seed: 6 })).not.toEqual(generateCatalog({ products: 30, seed: 5 }));
  });

  it('writes rows valid for the public API: unique skus, prices within bounds, stock ≥ 0 with nothing reserved, version 1', () => {
    const rows = generateCatalog({ products: 500, seed: 1 });
    expect(new Set(rows.map((row) => row.sku)).size).toBe(500);
    for (const row of rows) {
      expect(row.sku).toMatch(/^[A-Z0-9][A-Z0-9-]{0,63}$/);
      expect(row.price_amount_minor).toBeGreaterThan(0);
      expect(row.price_amount_minor).toBeLessThanOrEqual(1e12);
      expect(['EUR', 'USD']).toContain(row.price_currency);
      expect(row.stock_quantity).toBeGreaterThanOrEqual(0);
      expect(row.stock_reserved).toBe(0);
      expect(row.version).toBe(1);
      expect(row.legacy_id).toBe(row.id);
      expect(row.updated_at.getTime()).toBeGreaterThanOrEqual(row.created_at.getTime());
    }
    expect(rows.some((row) => row.stock_quantity === 0)).toBe(true);
  });

  it('refuses nonsense sizes', () => {
    expect(() => generateCatalog({ products: -1, seed: 1 })).toThrow(RangeError);
    expect(() => generateCatalog({ products: 1, seed: 0.5 })).toThrow(RangeError);
  });

  it('the copied random generator is pinned like legacy’s', () => {
    const rng = createRng(42, '');
    expect(Array.from({ length: 5 }, () => rng.int(0, 1_000_000))).toEqual([844716, 769148, 215055, 4729, 402466]);
  });
});

describe('parseSeedArgs', () => {
  it('defaults, values, help', () => {
    expect(parseSeedArgs([])).toEqual({ kind: 'run', options: SEED_DEFAULTS });
    expect(parseSeedArgs(['--products', '10', '--seed', '0', '--batch', '3'])).toEqual({ kind: 'run', options: { products: 10, seed: 0, batch: 3 } });
    expect(parseSeedArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--products', '0'], /--products must be at least 1/],
    [['--products', '100001'], /--products must be at most 100000/],
    [['--products', 'many'], /--products must be a whole number/],
    [['--users', '5'], /Unknown option '--users'/],
    [['extra'], /positional/],
  ])('refuses %j', (argv, message) => {
    const result = parseSeedArgs(argv);
    expect(result.kind).toBe('error');
    expect(result.kind === 'error' ? result.message : '').toMatch(message);
  });
});
