import { describeProductsProjectionContract } from '../testing/products-projection-contract.js';
import { FakeProductsProjection } from './fake-products-projection.js';

describeProductsProjectionContract('FakeProductsProjection', () => {
  let fake = new FakeProductsProjection();
  return {
    get projection() {
      return fake;
    },
    get store() {
      return fake;
    },
    inspect: async (id) => fake.inspect(id),
    reset: async () => {
      fake = new FakeProductsProjection();
    },
  };
});
