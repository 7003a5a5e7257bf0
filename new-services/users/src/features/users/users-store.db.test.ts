import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest } from '../../db/migrations.js';
import { KnexUsersStore } from './users-store.js';
import { describeUsersStoreContract } from '../../testing/users-store-contract.js';
import type { AccountRow } from './account-row.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('users_svc_store');
  await migrateToLatest(t.db);
});
afterAll(async () => {
  await t.drop();
});

// TRUNCATE (not DELETE) so AUTO_INCREMENT restarts and each case sees a fresh table, like the fake.
describeUsersStoreContract('KnexUsersStore on MariaDB', () => ({
  store: new KnexUsersStore(t.db),
  async reset() {
    await t.db('accounts').truncate();
  },
}));

describe('KnexUsersStore: what lands in the accounts table', () => {
  const store = () => new KnexUsersStore(t.db);
  const rows = async () => (await t.db('accounts').orderBy('id')) as AccountRow[];

  it('stores email as given, email_normalized lower-cased, display_name, legacy_id NULL and version 1 for an account created here', async () => {
    await t.db('accounts').truncate();
    const user = await store().insert({ email: 'Ada@Example.COM', fullName: 'Ada', passwordHash: 'scrypt$x', createdAt: new Date('2024-01-01T00:00:00.001Z') });
    expect(await rows()).toEqual([
      {
        id: user.id,
        legacy_id: null,
        email: 'Ada@Example.COM',
        email_normalized: 'ada@example.com',
        display_name: 'Ada',
        status: 'active',
        password_hash: 'scrypt$x',
        version: 1,
        created_at: new Date('2024-01-01T00:00:00.001Z'),
        updated_at: new Date('2024-01-01T00:00:00.001Z'),
      },
    ]);
    await store().update(user.id, { email: 'ADA2@example.com', updatedAt: new Date('2024-01-02T00:00:00.000Z') });
    expect(await rows()).toEqual([expect.objectContaining({ email: 'ADA2@example.com', email_normalized: 'ada2@example.com', version: 2 })]);
  });
});
