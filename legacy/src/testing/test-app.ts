import type { Express } from 'express';
import { createLogger, createMetrics, pingDb, type Knex } from '@strangler/platform';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest } from '../db/migrations.js';
import { createApp } from '../app.js';
import { createServices, type LegacyServices } from '../services.js';

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123';
export const TEST_JWT_ISSUER = 'strangler-legacy';

export interface TestApp {
  app: Express;
  db: Knex;
  services: LegacyServices;
  database: TestDatabase;
  drop(): Promise<void>;
}

/** The real app on a fresh, migrated database of the test run's MariaDB (one per test file). */
export async function createTestApp(prefix = 'legacy'): Promise<TestApp> {
  const database = await createTestDatabase(prefix);
  await migrateToLatest(database.db);
  const services = createServices(database.db, { jwtSecret: TEST_JWT_SECRET, jwtIssuer: TEST_JWT_ISSUER, jwtTtlSeconds: 3600 });
  const app = createApp({
    logger: createLogger({ name: 'legacy-test', level: 'silent' }),
    metrics: createMetrics({ service: 'legacy-test', collectDefaults: false }),
    bodyLimit: '100kb',
    readiness: () => pingDb(database.db),
    services,
  });
  return { app, db: database.db, services, database, drop: () => database.drop() };
}
