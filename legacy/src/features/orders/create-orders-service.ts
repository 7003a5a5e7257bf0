import type { Knex } from '@strangler/platform';
import { FakeOrdersStore } from './fake-orders-store.js';
import { OrdersService, type OrdersServiceOptions } from './orders-service.js';
import { KnexOrdersStore } from './orders-store.js';

export function createOrdersService(db: Knex, options: OrdersServiceOptions = {}): OrdersService {
  return new OrdersService(new KnexOrdersStore(db), options);
}

/** The real rules on an in-memory store, for unit tests. */
export function createFakeOrdersService(options: OrdersServiceOptions = {}): { service: OrdersService; store: FakeOrdersStore } {
  const store = new FakeOrdersStore();
  return { service: new OrdersService(store, options), store };
}
