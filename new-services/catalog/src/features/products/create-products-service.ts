import type { Knex } from '@strangler/platform';
import { FakeProductsStore } from './fake-products-store.js';
import { ProductsService, type ProductsServiceOptions } from './products-service.js';
import { KnexProductsStore } from './products-store.js';

export function createProductsService(db: Knex, options: ProductsServiceOptions = {}): ProductsService {
  return new ProductsService(new KnexProductsStore(db), options);
}

/** The real rules on an in-memory store, for unit tests. */
export function createFakeProductsService(options: ProductsServiceOptions = {}): { service: ProductsService; store: FakeProductsStore } {
  const store = new FakeProductsStore();
  return { service: new ProductsService(store, options), store };
}
