import type { Knex } from '@strangler/platform';
import { KnexUsersStore } from '../users/users-store.js';
import { createFakeUsersService } from '../users/create-users-service.js';
import type { FakeUsersStore } from '../users/fake-users-store.js';
import type { UsersService } from '../users/users-service.js';
import { AuthService } from './auth-service.js';
import { createTokenService, type TokenService } from './tokens.js';

export function createAuthService(db: Knex, tokens: TokenService): AuthService {
  // Login reads the users table through the users store: the monolith shares one database.
  return new AuthService(new KnexUsersStore(db), tokens);
}

export const FAKE_JWT_SECRET = 'fake-secret-fake-secret-fake-secret-0123';
export const FAKE_JWT_ISSUER = 'strangler-legacy';

/** Login on the in-memory users store with a real token service (clock injectable), for unit tests. */
export function createFakeAuthService(options: { now?: () => Date; ttlSeconds?: number } = {}): {
  service: AuthService;
  tokens: TokenService;
  users: UsersService;
  store: FakeUsersStore;
} {
  const tokens = createTokenService({ secret: FAKE_JWT_SECRET, issuer: FAKE_JWT_ISSUER, ttlSeconds: options.ttlSeconds ?? 3600, now: options.now });
  const { service: users, store } = createFakeUsersService({ now: options.now });
  return { service: new AuthService(store, tokens), tokens, users, store };
}
