import { describeProductsStoreContract } from '../../testing/products-store-contract.js';
import { FakeProductsStore } from './fake-products-store.js';

describeProductsStoreContract('FakeProductsStore', () => {
  let store = new FakeProductsStore();
  return {
    get store() {
      return store;
    },
    inspect: async (id) => store.inspect(id),
    setReserved: async (id, reserved) => store.setReserved(id, reserved),
    reset: async () => {
      store = new FakeProductsStore();
    },
  };
});
