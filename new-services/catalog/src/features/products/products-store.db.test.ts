import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest } from '../../db/migrations.js';
import { describeProductsStoreContract } from '../../testing/products-store-contract.js';
import { inspectStoredProduct } from '../../testing/stored-product-row.js';
import { KnexProductsStore } from './products-store.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase('catalog_products_store');
  await migrateToLatest(t.db);
});

afterAll(async () => {
  await t.drop();
});

describeProductsStoreContract('KnexProductsStore on MariaDB', () => ({
  store: new KnexProductsStore(t.db),
  inspect: (id) => inspectStoredProduct(t.db, id),
  setReserved: async (id, reserved) => {
    await t.db('products').where({ id }).update({ stock_reserved: reserved, version: t.db.raw('version + 1') });
  },
  reset: async () => {
    // TRUNCATE also resets AUTO_INCREMENT, so each test starts from the same ids.
    await t.db.raw('TRUNCATE TABLE products');
  },
}));

const T0 = new Date('2024-05-01T08:00:00.001Z');
const T1 = new Date('2024-05-02T09:30:00.250Z');

describe('KnexProductsStore on MariaDB: locks, collation', () => {
  let store: KnexProductsStore;
  beforeEach(async () => {
    await t.db.raw('TRUNCATE TABLE products');
    store = new KnexProductsStore(t.db);
  });

  it('updateStock waits for the row lock and decides on the committed reserved quantity', async () => {
    const product = await store.insert({ sku: 'LOCK-1', name: 'Lock', description: '', price: { amountMinor: 1, currency: 'EUR' }, active: true, createdAt: T0 });
    await t.db('products').where({ id: product.id }).update({ stock_quantity: 10, stock_reserved: 2 });
    const trx = await t.db.transaction();
    let seen: number | undefined;
    let settled = false;
    try {
      await trx('products').where({ id: product.id }).forUpdate().first();
      await trx('products').where({ id: product.id }).update({ stock_reserved: 8 });
      const pending = store
        .updateStock(product.id, (current) => {
          seen = current.reserved;
          if (5 < current.reserved) throw Object.assign(new Error('below reserved'), { code: 'BELOW' });
          return 5;
        }, T1)
        // Handled right away: it settles while this test is still awaiting the commit.
        .then(
          () => 'written',
          (error: unknown) => error,
        )
        .finally(() => (settled = true));
      // Its SELECT … FOR UPDATE has reached the server and is waiting there (this test's user sees its own threads).
      await vi.waitFor(
        async () => {
          const [threads] = (await t.db.raw(
            "SELECT COUNT(*) AS waiting FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND = 'Query' AND INFO LIKE 'select%for update'",
          )) as [Array<{ waiting: number | string }>];
          expect(Number(threads[0]?.waiting)).toBe(1);
        },
        { timeout: 20_000, interval: 50 },
      );
      expect(settled).toBe(false);
      await trx.commit();
      expect(await pending).toMatchObject({ code: 'BELOW' });
    } finally {
      if (!trx.isCompleted()) await trx.rollback();
    }
    expect(seen).toBe(8);
    expect(await t.db('products').select('stock_quantity', 'stock_reserved').where({ id: product.id }).first()).toEqual({ stock_quantity: 10, stock_reserved: 8 });
  });

  it('searches case-insensitively even when a column’s collation is binary (the query names its collation)', async () => {
    await t.db.raw('ALTER TABLE products MODIFY name VARCHAR(200) COLLATE utf8mb4_bin NULL, MODIFY sku VARCHAR(64) COLLATE utf8mb4_bin NULL');
    try {
      await store.insert({ sku: 'TEA-1', name: 'Green Tea', description: '', price: { amountMinor: 1, currency: 'EUR' }, active: true, createdAt: T0 });
      // Sanity: a plain LIKE is now case-sensitive.
      expect(await t.db('products').where('name', 'like', '%tea%')).toHaveLength(0);
      expect((await store.list({ q: 'gREEN tea', limit: 10, offset: 0 })).total).toBe(1);
      expect((await store.list({ q: 'tea-', limit: 10, offset: 0 })).total).toBe(1);
    } finally {
      await t.db.raw('TRUNCATE TABLE products');
      await t.db.raw(
        'ALTER TABLE products MODIFY name VARCHAR(200) COLLATE utf8mb4_unicode_ci NULL, MODIFY sku VARCHAR(64) COLLATE utf8mb4_unicode_ci NULL',
      );
    }
  });
});
