import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest, rollbackAll } from './migrations.js';

interface ColumnInfo {
  COLUMN_NAME: string;
  COLUMN_TYPE: string;
  IS_NULLABLE: 'YES' | 'NO';
  COLLATION_NAME: string | null;
  EXTRA: string;
}

describe('users service migrations', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('users_svc_migrations');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('creates the accounts table, is idempotent, and rolls back cleanly', async () => {
    expect(await migrateToLatest(t.db)).toEqual(['001-create-accounts']);
    expect(await migrateToLatest(t.db)).toEqual([]);
    expect(await t.db.schema.hasTable('accounts')).toBe(true);
    // Its own schema: nothing of the monolith's tables.
    expect(await t.db.schema.hasTable('users')).toBe(false);
    await rollbackAll(t.db);
    expect(await t.db.schema.hasTable('accounts')).toBe(false);
  });

  it('has the designed columns: unsigned ids, a nullable legacy link, the normalised email compared in binary', async () => {
    await migrateToLatest(t.db);
    const columns = (await t.db('information_schema.COLUMNS')
      .select('COLUMN_NAME', 'COLUMN_TYPE', 'IS_NULLABLE', 'COLLATION_NAME', 'EXTRA')
      .where({ TABLE_SCHEMA: t.name, TABLE_NAME: 'accounts' })
      .orderBy('ORDINAL_POSITION')) as ColumnInfo[];
    const byName = Object.fromEntries(columns.map((c) => [c.COLUMN_NAME, c]));
    expect(columns.map((c) => c.COLUMN_NAME)).toEqual([
      'id',
      'legacy_id',
      'email',
      'email_normalized',
      'display_name',
      'status',
      'password_hash',
      'version',
      'created_at',
      'updated_at',
    ]);
    expect(byName.id).toMatchObject({ COLUMN_TYPE: 'int(10) unsigned', IS_NULLABLE: 'NO', EXTRA: 'auto_increment' });
    expect(byName.legacy_id).toMatchObject({ COLUMN_TYPE: 'int(10) unsigned', IS_NULLABLE: 'YES' });
    expect(byName.email).toMatchObject({ COLUMN_TYPE: 'varchar(254)', IS_NULLABLE: 'NO' });
    expect(byName.email_normalized).toMatchObject({ COLUMN_TYPE: 'varchar(254)', IS_NULLABLE: 'NO', COLLATION_NAME: 'utf8mb4_bin' });
    expect(byName.display_name).toMatchObject({ COLUMN_TYPE: 'varchar(200)', IS_NULLABLE: 'NO' });
    expect(byName.status).toMatchObject({ COLUMN_TYPE: "enum('active','suspended')", IS_NULLABLE: 'NO' });
    expect(byName.password_hash).toMatchObject({ COLUMN_TYPE: 'varchar(255)', IS_NULLABLE: 'NO' });
    expect(byName.version).toMatchObject({ COLUMN_TYPE: 'int(10) unsigned', IS_NULLABLE: 'NO' });
    expect(byName.created_at).toMatchObject({ COLUMN_TYPE: 'datetime(3)', IS_NULLABLE: 'NO' });
    expect(byName.updated_at).toMatchObject({ COLUMN_TYPE: 'datetime(3)', IS_NULLABLE: 'NO' });

    const [indexes] = (await t.db.raw('SHOW INDEX FROM accounts')) as [Array<{ Key_name: string; Column_name: string; Non_unique: number }>];
    const unique = indexes.filter((i) => i.Non_unique === 0).map((i) => `${i.Key_name}(${i.Column_name})`).sort();
    expect(unique).toEqual(['PRIMARY(id)', 'accounts_email_normalized_unique(email_normalized)', 'accounts_legacy_id_unique(legacy_id)']);
  });

  it('defaults a bare row to active, version 1, timestamps now (UTC)', async () => {
    await migrateToLatest(t.db);
    const before = Date.now();
    const [id] = await t.db('accounts').insert({ email: 'A@x.io', email_normalized: 'a@x.io', display_name: 'A', password_hash: 'h' });
    const row = (await t.db('accounts').where({ id }).first()) as { status: string; version: number; legacy_id: null; created_at: Date };
    expect(row).toMatchObject({ status: 'active', version: 1, legacy_id: null });
    expect(Math.abs(row.created_at.getTime() - before)).toBeLessThan(60_000);
  });

  it('enforces uniqueness on the normalised email byte for byte (the column collation does not fold case)', async () => {
    await migrateToLatest(t.db);
    await t.db('accounts').insert({ email: 'b@x.io', email_normalized: 'b@x.io', display_name: 'B', password_hash: 'h' });
    // Only normalizeEmail() makes "B@X.IO" collide; the column itself treats it as a different value.
    await expect(t.db('accounts').insert({ email: 'B@X.IO', email_normalized: 'B@X.IO', display_name: 'B2', password_hash: 'h' })).resolves.toBeDefined();
    await expect(t.db('accounts').insert({ email: 'b@x.io', email_normalized: 'b@x.io', display_name: 'B3', password_hash: 'h' })).rejects.toMatchObject({
      code: 'ER_DUP_ENTRY',
    });
  });
});
