import type { RequestListener } from 'node:http';
import type { Knex } from '@strangler/platform';
import { createTestApp as createLegacyTestApp, TEST_JWT_ISSUER, TEST_JWT_SECRET } from '@strangler/legacy/testing/test-app';
import {
  createTestApp as createUsersServiceTestApp,
  TEST_JWT_ISSUER as USERS_SERVICE_JWT_ISSUER,
  TEST_JWT_SECRET as USERS_SERVICE_JWT_SECRET,
} from '@strangler/users-service/testing/test-app';
import { createTestApp as createCatalogServiceTestApp } from '@strangler/catalog-service/testing/test-app';
import { catalogStateHandlers } from '../provider/states/catalog-states.js';
import { usersStateHandlers } from '../provider/states/users-states.js';
import type { StateHandlers } from '../provider/states/state-params.js';
import { catalogServiceStore } from '../provider/stores/catalog-service-store.js';
import { legacyCatalogStore } from '../provider/stores/legacy-catalog-store.js';
import { legacyUsersStore } from '../provider/stores/legacy-users-store.js';
import type { JwtSettings } from '../provider/stores/seed-values.js';
import { usersServiceStore } from '../provider/stores/users-service-store.js';

/** One implementation of a provider, built for verification: the real app on its own fresh database. */
export interface ImplementationUnderTest {
  provider: string;
  implementation: string;
  app: RequestListener;
  stateHandlers: StateHandlers;
  /** The fresh database the app runs on, for suites that also check what it stored (see src/conformance). */
  db: Knex;
  /** The key and issuer it verifies bearer tokens with; only for implementations that authenticate. */
  jwt?: JwtSettings;
  drop(): Promise<void>;
}

type Build = () => Promise<ImplementationUnderTest>;

/**
 * Every implementation the contracts are verified against, keyed `<provider>--<implementation>`. The states are the
 * slice's (written once); only the seeding store differs. Tokens are signed with the key each test app verifies with.
 */
export const IMPLEMENTATIONS: Record<string, Build> = {
  'users-api--legacy': async () => {
    const t = await createLegacyTestApp('contracts_users_legacy');
    const jwt = { secret: TEST_JWT_SECRET, issuer: TEST_JWT_ISSUER };
    const store = legacyUsersStore(t.db, jwt);
    return { provider: 'users-api', implementation: 'legacy', app: t.app, stateHandlers: usersStateHandlers(store), db: t.db, jwt, drop: t.drop };
  },
  'users-api--users-service': async () => {
    const t = await createUsersServiceTestApp('contracts_users_svc');
    const jwt = { secret: USERS_SERVICE_JWT_SECRET, issuer: USERS_SERVICE_JWT_ISSUER };
    const store = usersServiceStore(t.db, jwt);
    return {
      provider: 'users-api',
      implementation: 'users-service',
      app: t.app,
      stateHandlers: usersStateHandlers(store),
      db: t.db,
      jwt,
      drop: t.drop,
    };
  },
  'catalog-api--legacy': async () => {
    const t = await createLegacyTestApp('contracts_catalog_legacy');
    return {
      provider: 'catalog-api',
      implementation: 'legacy',
      app: t.app,
      stateHandlers: catalogStateHandlers(legacyCatalogStore(t.db)),
      db: t.db,
      drop: t.drop,
    };
  },
  'catalog-api--catalog-service': async () => {
    const t = await createCatalogServiceTestApp('contracts_catalog_svc');
    return {
      provider: 'catalog-api',
      implementation: 'catalog-service',
      app: t.app,
      stateHandlers: catalogStateHandlers(catalogServiceStore(t.db)),
      db: t.db,
      drop: t.drop,
    };
  },
};

export function buildImplementation(provider: string, implementation: string): Promise<ImplementationUnderTest> {
  const build = IMPLEMENTATIONS[`${provider}--${implementation}`];
  if (!build) throw new Error(`no implementation ${implementation} of ${provider} is wired in contracts/src/testing/providers.ts`);
  return build();
}
