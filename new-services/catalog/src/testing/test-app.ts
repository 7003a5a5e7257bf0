import type { Express } from 'express';
import { createLogger, createMetrics, pingDb, type Knex } from '@strangler/platform';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest } from '../db/migrations.js';
import { createApp } from '../app.js';
import { createServices, type CatalogServices } from '../services.js';

export interface TestApp {
  app: Express;
  db: Knex;
  services: CatalogServices;
  database: TestDatabase;
  drop(): Promise<void>;
}

/** The real app on a fresh, migrated database of the test run's MariaDB (one per test file). */
export async function createTestApp(prefix = 'catalog'): Promise<TestApp> {
  const database = await createTestDatabase(prefix);
  await migrateToLatest(database.db);
  const services = createServices(database.db);
  const app = createApp({
    logger: createLogger({ name: 'catalog-test', level: 'silent' }),
    metrics: createMetrics({ service: 'catalog-test', collectDefaults: false }),
    bodyLimit: '100kb',
    readiness: () => pingDb(database.db),
    services,
  });
  return { app, db: database.db, services, database, drop: () => database.drop() };
}
