import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BASE_DATE,
  countRows,
  createSeedPlan,
  generateInventory,
  generateOrders,
  generateProducts,
  generateUsers,
  inBatches,
  RESERVING_STATUSES,
  type GeneratorOptions,
} from './generator.js';

const SMALL: GeneratorOptions = { users: 200, products: 50, orders: 500, seed: 42, passwordHash: 'scrypt$test-hash' };

function dataset(options: GeneratorOptions) {
  const plan = createSeedPlan(options);
  const orders = [...generateOrders(plan)];
  return {
    users: [...generateUsers(plan)],
    products: [...generateProducts(plan)],
    orders: orders.map((o) => o.order),
    items: orders.flatMap((o) => o.items),
    inventory: [...generateInventory(plan)],
    counts: countRows(plan),
  };
}

describe('seed generator', () => {
  const data = dataset(SMALL);

  it('is deterministic: the same options give the same rows', () => {
    expect(dataset({ ...SMALL })).toEqual(data);
  });

  it('is pinned: a change to the generated data must be deliberate (update this hash with it)', () => {
    const { counts: _counts, ...rows } = data;
    const hash = createHash('sha256').update(JSON.stringify(rows)).digest('hex');
    expect(hash).toBe(PINNED_SMALL_HASH);
  });

  it('differs for another seed', () => {
    const other = dataset({ ...SMALL, seed: 43 });
    expect(other.users.map((u) => u.email)).not.toEqual(data.users.map((u) => u.email));
    expect(other.products.map((p) => p.price_minor)).not.toEqual(data.products.map((p) => p.price_minor));
    expect(other.orders.map((o) => o.user_id)).not.toEqual(data.orders.map((o) => o.user_id));
  });

  it('keeps each table on its own stream: more orders leave users and products unchanged', () => {
    const more = dataset({ ...SMALL, orders: 900 });
    expect(more.users).toEqual(data.users);
    expect(more.products).toEqual(data.products);
    expect(more.orders.slice(0, 10).map((o) => o.id)).toEqual(data.orders.slice(0, 10).map((o) => o.id));
  });

  it('produces the requested counts with consecutive ids from 1', () => {
    expect(data.users.map((u) => u.id)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(data.products.map((p) => p.id)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(data.orders.map((o) => o.id)).toEqual(Array.from({ length: 500 }, (_, i) => i + 1));
    expect(data.items.map((i) => i.id)).toEqual(Array.from({ length: data.items.length }, (_, i) => i + 1));
    expect(data.inventory.map((i) => i.product_id)).toEqual(data.products.map((p) => p.id));
    expect(data.counts).toEqual({ users: 200, products: 50, inventory: 50, orders: 500, order_items: data.items.length });
  });

  it('makes unique, well-formed emails and skus and shares the one password hash', () => {
    const emails = data.users.map((u) => u.email.toLowerCase());
    expect(new Set(emails).size).toBe(emails.length);
    for (const user of data.users) {
      expect(user.email).toMatch(new RegExp(`^[a-z]+\\.[a-z]+\\.${user.id}@example\\.com$`));
      expect(user.full_name).toMatch(/^\S+ .+$/);
      expect(user.password_hash).toBe(SMALL.passwordHash);
    }
    const skus = data.products.map((p) => p.sku);
    expect(new Set(skus).size).toBe(skus.length);
    expect(skus[22]).toBe('SKU-000023');
    expect(skus.every((sku) => /^SKU-\d{6}$/.test(sku))).toBe(true);
  });

  it('uses realistic mixes: mostly active users and products, mostly EUR, every order status', () => {
    const big = dataset({ ...SMALL, users: 2000, products: 500, orders: 4000 });
    const share = <T>(rows: T[], test: (row: T) => boolean) => rows.filter(test).length / rows.length;
    expect(share(big.users, (u) => u.status === 'active')).toBeGreaterThan(0.9);
    expect(share(big.users, (u) => u.status === 'suspended')).toBeGreaterThan(0.02);
    expect(share(big.products, (p) => p.active)).toBeGreaterThan(0.8);
    expect(share(big.products, (p) => !p.active)).toBeGreaterThan(0.03);
    expect(share(big.products, (p) => p.currency === 'EUR')).toBeGreaterThan(0.7);
    expect(share(big.products, (p) => p.currency === 'USD')).toBeGreaterThan(0.1);
    for (const status of ['pending', 'paid', 'shipped', 'cancelled'] as const) {
      expect(share(big.orders, (o) => o.status === status)).toBeGreaterThan(0.05);
    }
    expect(big.products.every((p) => p.price_minor > 0 && p.price_minor % 100 === 99)).toBe(true);
  });

  it('builds orders of 1-4 distinct products in the order currency, priced as the product, with the right total', () => {
    const products = new Map(data.products.map((p) => [p.id, p]));
    const itemsByOrder = new Map<number, typeof data.items>();
    for (const item of data.items) itemsByOrder.set(item.order_id, [...(itemsByOrder.get(item.order_id) ?? []), item]);
    for (const order of data.orders) {
      const items = itemsByOrder.get(order.id) ?? [];
      expect(items.length).toBeGreaterThanOrEqual(1);
      expect(items.length).toBeLessThanOrEqual(4);
      expect(new Set(items.map((i) => i.product_id)).size).toBe(items.length);
      let total = 0;
      for (const item of items) {
        const product = products.get(item.product_id);
        expect(product?.currency).toBe(order.currency);
        expect(item.unit_price_minor).toBe(product?.price_minor);
        expect(item.quantity).toBeGreaterThanOrEqual(1);
        total += item.quantity * item.unit_price_minor;
      }
      expect(order.total_minor).toBe(total);
    }
  });

  it('keeps inventory consistent with orders: reserved = Σ pending+paid quantities, quantity ≥ reserved', () => {
    const status = new Map(data.orders.map((o) => [o.id, o.status]));
    const expected = new Map<number, number>();
    for (const item of data.items) {
      if (RESERVING_STATUSES.includes(status.get(item.order_id) ?? 'shipped')) {
        expected.set(item.product_id, (expected.get(item.product_id) ?? 0) + item.quantity);
      }
    }
    expect([...expected.values()].some((n) => n > 0)).toBe(true);
    for (const row of data.inventory) {
      expect(row.reserved).toBe(expected.get(row.product_id) ?? 0);
      expect(row.quantity).toBeGreaterThanOrEqual(row.reserved);
    }
    expect(data.inventory.some((row) => row.quantity > row.reserved)).toBe(true);
  });

  it('derives timestamps from 2024-01-01: updated ≥ created, orders after their user and products', () => {
    const base = BASE_DATE.getTime();
    const users = new Map(data.users.map((u) => [u.id, u]));
    const products = new Map(data.products.map((p) => [p.id, p]));
    for (const row of [...data.users, ...data.products, ...data.orders]) {
      expect(row.created_at.getTime()).toBeGreaterThanOrEqual(base);
      expect(row.updated_at.getTime()).toBeGreaterThanOrEqual(row.created_at.getTime());
    }
    for (const order of data.orders) {
      expect(order.created_at.getTime()).toBeGreaterThanOrEqual(users.get(order.user_id)?.created_at.getTime() ?? Infinity);
    }
    for (const item of data.items) {
      const order = data.orders[item.order_id - 1];
      expect(order?.created_at.getTime()).toBeGreaterThanOrEqual(products.get(item.product_id)?.created_at.getTime() ?? Infinity);
    }
    for (const row of data.inventory) {
      expect(row.updated_at.getTime()).toBeGreaterThanOrEqual(products.get(row.product_id)?.updated_at.getTime() ?? Infinity);
    }
  });

  it('copes with tiny data sets (one user, one product)', () => {
    const tiny = dataset({ users: 1, products: 1, orders: 20, seed: 1, passwordHash: 'h' });
    expect(tiny.orders).toHaveLength(20);
    expect(tiny.items).toHaveLength(20);
    expect(tiny.orders.every((o) => o.user_id === 1 && o.currency === tiny.products[0]?.currency)).toBe(true);
    expect(tiny.orders.every((o) => o.created_at >= (tiny.users[0]?.created_at ?? new Date(8.64e15)))).toBe(true);
  });

  it('streams orders lazily instead of building them all up front', () => {
    // More orders than could ever be built: only a lazy generator yields the first (an eager one never returns).
    const plan = createSeedPlan({ users: 10, products: 10, orders: Number.MAX_SAFE_INTEGER, seed: 42, passwordHash: 'h' });
    const orders = generateOrders(plan);
    const first = orders.next();
    expect(first.done).toBe(false);
    expect(first.value?.order.id).toBe(1);
    expect(orders.next().value?.order.id).toBe(2);
  });

  it('refuses impossible sizes', () => {
    expect(() => createSeedPlan({ ...SMALL, users: 0 })).toThrow(/at least one user/);
    expect(() => createSeedPlan({ ...SMALL, products: -1 })).toThrow(RangeError);
    expect(() => createSeedPlan({ ...SMALL, seed: 1.5 })).toThrow(RangeError);
  });
});

describe('inBatches', () => {
  it('groups lazily into batches of at most n, keeping order', () => {
    expect([...inBatches([1, 2, 3, 4, 5], 2)]).toEqual([[1, 2], [3, 4], [5]]);
    expect([...inBatches([], 3)]).toEqual([]);
    expect(() => [...inBatches([1], 0)]).toThrow(RangeError);
  });
});

// sha256 of JSON.stringify of every table for SMALL (seed 42).
const PINNED_SMALL_HASH = '2242645d505b6fdec8cb2603b28b56f0ef2d5dc532158afc61995a5e784f4527';
