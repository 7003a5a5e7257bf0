import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest } from '../../db/migrations.js';
import { KnexUsersStore } from './users-store.js';
import { describeUsersStoreContract } from '../../testing/users-store-contract.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('legacy_users_store');
  await migrateToLatest(t.db);
});
afterAll(async () => {
  await t.drop();
});

describeUsersStoreContract('KnexUsersStore on MariaDB', () => ({
  store: new KnexUsersStore(t.db),
  async addOrder(userId) {
    await t.db('orders').insert({ user_id: userId, status: 'pending', total_minor: 1000, currency: 'EUR' });
  },
  async reset() {
    await t.db('orders').delete();
    await t.db('users').delete();
  },
}));
