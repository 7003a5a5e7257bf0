import type { Express } from 'express';
import { SignJWT } from 'jose';
import { createLogger, createMetrics, pingDb, type Knex } from '@strangler/platform';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest } from '../db/migrations.js';
import { createApp } from '../app.js';
import { createServices, type UsersServices } from '../services.js';

/** The monolith's test key and issuer: tokens signed with them are what the monolith would have issued. */
export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';
export const TEST_JWT_ISSUER = 'strangler-legacy';

export interface TestApp {
  app: Express;
  db: Knex;
  services: UsersServices;
  database: TestDatabase;
  drop(): Promise<void>;
}

/** The real app on a fresh, migrated database of the test run's MariaDB (one per test file). */
export async function createTestApp(prefix = 'users_svc'): Promise<TestApp> {
  const database = await createTestDatabase(prefix);
  await migrateToLatest(database.db);
  const services = createServices(database.db, { jwtSecret: TEST_JWT_SECRET, jwtIssuer: TEST_JWT_ISSUER });
  const app = createApp({
    logger: createLogger({ name: 'users-test', level: 'silent' }),
    metrics: createMetrics({ service: 'users-test', collectDefaults: false }),
    bodyLimit: '100kb',
    readiness: () => pingDb(database.db),
    services,
  });
  return { app, db: database.db, services, database, drop: () => database.drop() };
}

export interface TestTokenOptions {
  secret?: string;
  issuer?: string;
  /** Issued-at; the token expires `ttlSeconds` later. */
  issuedAt?: Date;
  ttlSeconds?: number;
  subject?: string;
}

/**
 * Signs a bearer token exactly as the monolith's login does (HS256, sub = user id, iss, iat, exp), so the tests prove
 * the service accepts what the monolith issues — without importing the monolith.
 */
export async function signTestToken(userId: number, options: TestTokenOptions = {}): Promise<string> {
  const issuedAt = Math.floor((options.issuedAt ?? new Date()).getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject ?? String(userId))
    .setIssuer(options.issuer ?? TEST_JWT_ISSUER)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (options.ttlSeconds ?? 3600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}
