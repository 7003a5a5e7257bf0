import { FakeUsersStore } from './fake-users-store.js';
import { describeUsersStoreContract } from '../../testing/users-store-contract.js';

describeUsersStoreContract('FakeUsersStore', () => {
  const store = new FakeUsersStore();
  const withOrders = new Set<number>();
  store.hasOrdersHook = (userId) => withOrders.has(userId);
  return {
    store,
    async addOrder(userId) {
      withOrders.add(userId);
    },
    async reset() {},
  };
});
