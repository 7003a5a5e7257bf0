import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest, rollbackAll } from './migrations.js';

describe('legacy migrations', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase('legacy_migrations');
  });
  afterAll(async () => {
    await t.drop();
  });

  it('creates the shared schema, is idempotent, and rolls back cleanly', async () => {
    expect(await migrateToLatest(t.db)).toEqual(['001-create-users', '002-create-catalog', '003-create-orders']);
    expect(await migrateToLatest(t.db)).toEqual([]);
    for (const table of ['users', 'products', 'inventory', 'orders', 'order_items']) {
      expect(await t.db.schema.hasTable(table)).toBe(true);
    }
    await rollbackAll(t.db);
    expect(await t.db.schema.hasTable('users')).toBe(false);
  });

  it('stores timestamps in UTC', async () => {
    await migrateToLatest(t.db);
    const [row] = (await t.db.raw('select @@session.time_zone as tz'))[0] as Array<{ tz: string }>;
    expect(row?.tz).toBe('+00:00');
  });
});
