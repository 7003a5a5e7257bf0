import type { Knex } from '@strangler/platform';
import { FakeUsersStore } from './fake-users-store.js';
import { UsersService, type UsersServiceOptions } from './users-service.js';
import { KnexUsersStore } from './users-store.js';

export function createUsersService(db: Knex, options: UsersServiceOptions = {}): UsersService {
  return new UsersService(new KnexUsersStore(db), options);
}

/** The real rules on an in-memory store, for unit tests. */
export function createFakeUsersService(options: UsersServiceOptions = {}): { service: UsersService; store: FakeUsersStore } {
  const store = new FakeUsersStore();
  return { service: new UsersService(store, options), store };
}
