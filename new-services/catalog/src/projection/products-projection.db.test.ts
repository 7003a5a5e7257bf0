import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, sqlOfRolledBackTransaction, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest } from '../db/migrations.js';
import { KnexProductsStore } from '../features/products/products-store.js';
import { describeProductsProjectionContract } from '../testing/products-projection-contract.js';
import { inspectStoredProduct, storedProductRow } from '../testing/stored-product-row.js';
import { KnexProductsProjection } from './products-projection.js';
import type { LegacyProductChange } from './products-projection-type.js';

let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase('catalog_products_projection');
  await migrateToLatest(t.db);
});

afterAll(async () => {
  await t.drop();
});

const row = (id: number) => storedProductRow(t.db, id);

describeProductsProjectionContract('KnexProductsProjection on MariaDB', () => ({
  projection: new KnexProductsProjection(t.db),
  store: new KnexProductsStore(t.db),
  inspect: (id) => inspectStoredProduct(t.db, id),
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

describe('KnexProductsProjection on MariaDB: rows, replays, races', () => {
  let projection: KnexProductsProjection;
  beforeEach(async () => {
    await t.db.raw('TRUNCATE TABLE products');
    projection = new KnexProductsProjection(t.db);
  });

  async function checksum(): Promise<number> {
    const [rows] = (await t.db.raw('CHECKSUM TABLE products')) as [Array<{ Checksum: number }>];
    return rows[0]?.Checksum as number;
  }

  it('stores projected rows in catalog_svc’s columns: placeholder NULLs, legacy id, version, stock time', async () => {
    await projection.upsertStockFromLegacy({ legacyProductId: 77, quantity: 8, reserved: 2, updatedAt: T1 });
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
    await projection.upsertProductFromLegacy(legacyProduct(77, { active: false, priceMinor: 1e12 }));
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
      await projection.upsertStockFromLegacy({ legacyProductId: 1, quantity: 5, reserved: 1, updatedAt: T0 });
      await projection.upsertProductFromLegacy(legacyProduct(1));
      await projection.upsertProductFromLegacy(legacyProduct(2));
      await projection.upsertStockFromLegacy({ legacyProductId: 2, quantity: 9, reserved: 0, updatedAt: T1 });
      await projection.upsertProductFromLegacy(legacyProduct(3));
      await projection.deleteByLegacyId(3);
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
        projection.upsertProductFromLegacy(legacyProduct(id)),
        projection.upsertStockFromLegacy({ legacyProductId: id, quantity: id, reserved: 1, updatedAt: T1 }),
        projection.upsertProductFromLegacy(legacyProduct(id)),
      ]),
    );
    expect(outcomes.filter((o) => o === 'inserted')).toHaveLength(25);
    const rows = (await t.db('products').select('id', 'sku', 'stock_quantity', 'stock_reserved', 'version').orderBy('id')) as Array<Record<string, unknown>>;
    expect(rows).toEqual(ids.map((id) => ({ id, sku: `L-${id}`, stock_quantity: id, stock_reserved: 1, version: 2 })));
  });
});

describe('KnexProductsProjection on a caller\'s transaction (the CDC projector\'s batch)', () => {
  it('upserts run inside it without a savepoint or retry of their own, and are undone with it', async () => {
    await t.db('products').truncate();
    const statements = await sqlOfRolledBackTransaction(t.db, async (trx) => {
      const projection = new KnexProductsProjection(trx);
      expect(await projection.upsertStockFromLegacy({ legacyProductId: 501, quantity: 3, reserved: 1, updatedAt: new Date('2025-01-01T00:00:00Z') })).toBe('inserted');
      expect(await projection.upsertProductFromLegacy(legacyProduct(501))).toBe('updated');
    });
    expect(statements.filter((sql) => /savepoint/i.test(sql))).toEqual([]);
    expect(await t.db('products').count({ n: '*' }).first()).toEqual({ n: 0 });
  });
});
