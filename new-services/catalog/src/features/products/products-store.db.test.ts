import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, sqlOfRolledBackTransaction, type TestDatabase } from '@strangler/stack/testing';
import { migrateToLatest } from '../../db/migrations.js';
import { describeProductsStoreContract } from './products-store-contract.js';
import type { RowState } from './fake-products-store.js';
import { KnexProductsStore } from './products-store.js';
import type { LegacyProductChange } from './products-store-type.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase('catalog_products_store');
  await migrateToLatest(t.db);
});

afterAll(async () => {
  await t.drop();
});

interface Row {
  id: number;
  legacy_id: number | null;
  sku: string | null;
  name: string | null;
  description: string | null;
  price_amount_minor: number | null;
  price_currency: string | null;
  is_active: number;
  stock_quantity: number;
  stock_reserved: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  stock_updated_at: Date | null;
}

const row = async (id: number): Promise<Row | undefined> => (await t.db('products').where({ id }).first()) as Row | undefined;

async function inspect(id: number): Promise<RowState | undefined> {
  const r = await row(id);
  if (!r) return undefined;
  return {
    legacyId: r.legacy_id,
    placeholder: r.sku === null,
    version: r.version,
    quantity: r.stock_quantity,
    reserved: r.stock_reserved,
    stockUpdatedAt: r.stock_updated_at,
  };
}

describeProductsStoreContract('KnexProductsStore on MariaDB', () => ({
  store: new KnexProductsStore(t.db),
  inspect,
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

function legacyProduct(legacyId: number, overrides: Partial<LegacyProductChange> = {}): LegacyProductChange {
  return { legacyId, sku: `L-${legacyId}`, name: `Legacy ${legacyId}`, description: 'd', priceMinor: 100, currency: 'EUR', active: true, createdAt: T0, updatedAt: T1, ...overrides };
}

describe('KnexProductsStore on MariaDB: rows, locks, races', () => {
  let store: KnexProductsStore;
  beforeEach(async () => {
    await t.db.raw('TRUNCATE TABLE products');
    store = new KnexProductsStore(t.db);
  });

  async function checksum(): Promise<number> {
    const [rows] = (await t.db.raw('CHECKSUM TABLE products')) as [Array<{ Checksum: number }>];
    return rows[0]?.Checksum as number;
  }

  it('stores projected rows in catalog_svc’s columns: placeholder NULLs, legacy id, version, stock time', async () => {
    await store.upsertStockFromLegacy({ legacyProductId: 77, quantity: 8, reserved: 2, updatedAt: T1 });
    expect(await row(77)).toEqual({
      id: 77,
      legacy_id: 77,
      sku: null,
      name: null,
      description: null,
      price_amount_minor: null,
      price_currency: null,
      is_active: 1,
      stock_quantity: 8,
      stock_reserved: 2,
      version: 1,
      created_at: T1,
      updated_at: T1,
      stock_updated_at: T1,
    });
    await store.upsertProductFromLegacy(legacyProduct(77, { active: false, priceMinor: 1e12 }));
    expect(await row(77)).toEqual({
      id: 77,
      legacy_id: 77,
      sku: 'L-77',
      name: 'Legacy 77',
      description: 'd',
      price_amount_minor: 1e12,
      price_currency: 'EUR',
      is_active: 0,
      stock_quantity: 8,
      stock_reserved: 2,
      version: 2,
      created_at: T0,
      updated_at: T1,
      stock_updated_at: T1,
    });
  });

  it('replaying a whole event stream leaves the table byte-for-byte unchanged', async () => {
    const events = async (): Promise<void> => {
      await store.upsertStockFromLegacy({ legacyProductId: 1, quantity: 5, reserved: 1, updatedAt: T0 });
      await store.upsertProductFromLegacy(legacyProduct(1));
      await store.upsertProductFromLegacy(legacyProduct(2));
      await store.upsertStockFromLegacy({ legacyProductId: 2, quantity: 9, reserved: 0, updatedAt: T1 });
      await store.upsertProductFromLegacy(legacyProduct(3));
      await store.deleteByLegacyId(3);
    };
    await events();
    const once = await checksum();
    const versions = await t.db('products').select('id', 'version').orderBy('id');
    await events();
    // Deleting 3 and projecting it again is the only change a replay makes; 1 and 2 stay put.
    expect(await t.db('products').select('id', 'version').orderBy('id')).toEqual(versions);
    expect(await checksum()).toBe(once);
    expect(versions).toEqual([
      { id: 1, version: 2 },
      { id: 2, version: 2 },
    ]);
  });

  it('first events for one id racing each other are all applied (the loser of the insert retries)', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => i + 1);
    const outcomes = await Promise.all(
      ids.flatMap((id) => [
        store.upsertProductFromLegacy(legacyProduct(id)),
        store.upsertStockFromLegacy({ legacyProductId: id, quantity: id, reserved: 1, updatedAt: T1 }),
        store.upsertProductFromLegacy(legacyProduct(id)),
      ]),
    );
    expect(outcomes.filter((o) => o === 'inserted')).toHaveLength(25);
    const rows = (await t.db('products').select('id', 'sku', 'stock_quantity', 'stock_reserved', 'version').orderBy('id')) as Array<Record<string, unknown>>;
    expect(rows).toEqual(ids.map((id) => ({ id, sku: `L-${id}`, stock_quantity: id, stock_reserved: 1, version: 2 })));
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
      await new Promise((resolve) => setTimeout(resolve, 300));
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

describe('KnexProductsStore on a caller\'s transaction (the CDC projector\'s batch)', () => {
  it('upserts run inside it without a savepoint or retry of their own, and are undone with it', async () => {
    await t.db('products').truncate();
    const statements = await sqlOfRolledBackTransaction(t.db, async (trx) => {
      const store = new KnexProductsStore(trx);
      expect(await store.upsertStockFromLegacy({ legacyProductId: 501, quantity: 3, reserved: 1, updatedAt: new Date('2025-01-01T00:00:00Z') })).toBe('inserted');
      expect(await store.upsertProductFromLegacy(legacyProduct(501))).toBe('updated');
    });
    expect(statements.filter((sql) => /savepoint/i.test(sql))).toEqual([]);
    expect(await t.db('products').count({ n: '*' }).first()).toEqual({ n: 0 });
  });
});
