import type { Knex } from '@strangler/platform';
import { verificationTargets, type ProviderName } from '../slices.js';
import { buildImplementation } from '../testing/providers.js';
import type { CatalogApiUnderTest } from './catalog-api.conformance.js';
import { catalogServiceStorage } from './storage/catalog-service-storage.js';
import type { CatalogStorage } from './storage/catalog-storage.js';
import { legacyCatalogStorage } from './storage/legacy-catalog-storage.js';
import { LEGACY_USERS_TABLE, USERS_SERVICE_ACCOUNTS_TABLE, usersStorage, type UsersStorage } from './storage/users-storage.js';
import type { UsersApiUnderTest } from './users-api.conformance.js';

/** The implementations of a provider that must behave alike: the verified ones (slices.ts), nothing listed again. */
export function implementationsOf(provider: ProviderName): string[] {
  return verificationTargets()
    .filter((target) => target.provider === provider)
    .map((target) => target.implementation);
}

/** Each implementation's storage, as the conformance suites read it. */
const USERS_STORAGE: Record<string, (db: Knex) => UsersStorage> = {
  legacy: (db) => usersStorage(db, LEGACY_USERS_TABLE),
  'users-service': (db) => usersStorage(db, USERS_SERVICE_ACCOUNTS_TABLE),
};
const CATALOG_STORAGE: Record<string, (db: Knex) => CatalogStorage> = {
  legacy: legacyCatalogStorage,
  'catalog-service': catalogServiceStorage,
};

function storageOf<S>(adapters: Record<string, (db: Knex) => S>, provider: string, implementation: string): (db: Knex) => S {
  const adapter = adapters[implementation];
  if (!adapter) throw new Error(`no ${provider} storage adapter for ${implementation} in contracts/src/conformance/implementations.ts`);
  return adapter;
}

/** The users API of one implementation: its test app on a fresh database, with its states, storage and token key. */
export async function buildUsersApi(implementation: string): Promise<UsersApiUnderTest> {
  const storage = storageOf(USERS_STORAGE, 'users-api', implementation);
  const built = await buildImplementation('users-api', implementation);
  if (!built.jwt) {
    await built.drop();
    throw new Error(`users-api on ${implementation} is wired without its token key (contracts/src/testing/providers.ts)`);
  }
  return { app: built.app, stateHandlers: built.stateHandlers, storage: storage(built.db), jwt: built.jwt, drop: built.drop };
}

export async function buildCatalogApi(implementation: string): Promise<CatalogApiUnderTest> {
  const storage = storageOf(CATALOG_STORAGE, 'catalog-api', implementation);
  const built = await buildImplementation('catalog-api', implementation);
  return { app: built.app, stateHandlers: built.stateHandlers, storage: storage(built.db), drop: built.drop };
}
