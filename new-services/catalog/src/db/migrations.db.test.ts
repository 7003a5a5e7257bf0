import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest, rollbackAll } from './migrations.js';

describe('catalog migrations', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('catalog_migrations');
  });
  afterAll(async () => {
    await t.drop();
  });

  async function columns(): Promise<Record<string, { type: string; nullable: string; collation: string | null }>> {
    const [rows] = (await t.db.raw(
      `SELECT COLUMN_NAME AS name, COLUMN_TYPE AS type, IS_NULLABLE AS nullable, COLLATION_NAME AS collation
         FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'products'`,
    )) as [Array<{ name: string; type: string; nullable: string; collation: string | null }>];
    return Object.fromEntries(rows.map((row) => [row.name, { type: row.type, nullable: row.nullable, collation: row.collation }]));
  }

  it('creates the one products table, is idempotent, and rolls back cleanly', async () => {
    expect(await migrateToLatest(t.db)).toEqual(['001-create-products']);
    expect(await migrateToLatest(t.db)).toEqual([]);
    expect(await t.db.schema.hasTable('products')).toBe(true);
    expect(await t.db.schema.hasTable('inventory')).toBe(false);
    const cols = await columns();
    expect(Object.keys(cols).sort()).toEqual(
      [
        'id', 'legacy_id', 'sku', 'name', 'description', 'price_amount_minor', 'price_currency', 'is_active',
        'stock_quantity', 'stock_reserved', 'version', 'created_at', 'updated_at', 'stock_updated_at',
      ].sort(),
    );
    expect(cols.id?.type).toBe('int(10) unsigned');
    expect(cols.price_amount_minor?.type).toBe('bigint(20) unsigned');
    expect(cols.stock_quantity).toMatchObject({ type: 'int(10) unsigned', nullable: 'NO' });
    expect(cols.version).toMatchObject({ type: 'int(10) unsigned', nullable: 'NO' });
    expect(cols.stock_updated_at).toMatchObject({ type: 'datetime(3)', nullable: 'YES' });
    // Explicit, whatever the server's default: the sku index and the search are case-insensitive.
    expect(cols.sku?.collation).toBe('utf8mb4_unicode_ci');
    expect(cols.name?.collation).toBe('utf8mb4_unicode_ci');
    await rollbackAll(t.db);
    expect(await t.db.schema.hasTable('products')).toBe(false);
  });

  it('refuses rows that are neither a complete product nor a legacy placeholder', async () => {
    await migrateToLatest(t.db);
    await t.db('products').delete();
    const complete = { sku: 'A-1', name: 'A', description: '', price_amount_minor: 1, price_currency: 'EUR' };
    await t.db('products').insert(complete);
    await t.db('products').insert({ id: 50, legacy_id: 50 });
    // A native row without a sku, a half-filled placeholder.
    await expect(t.db('products').insert({ name: 'no sku' })).rejects.toThrow(/CONSTRAINT/i);
    await expect(t.db('products').insert({ id: 60, legacy_id: 60, name: 'half' })).rejects.toThrow(/CONSTRAINT/i);
    // The sku index is case-insensitive.
    await expect(t.db('products').insert({ ...complete, sku: 'a-1' })).rejects.toMatchObject({ code: 'ER_DUP_ENTRY' });
    expect(await t.db('products').count({ n: '*' })).toEqual([{ n: 2 }]);
  });

  it('stores timestamps in UTC', async () => {
    await migrateToLatest(t.db);
    const [row] = (await t.db.raw('select @@session.time_zone as tz'))[0] as Array<{ tz: string }>;
    expect(row?.tz).toBe('+00:00');
  });
});
