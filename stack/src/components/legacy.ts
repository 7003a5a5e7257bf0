import { nodeApp } from './node-app.js';

/** The monolith: migrations on every start, demo data on the first start, then the server. */
const legacy = nodeApp({
  name: 'legacy',
  dir: 'legacy',
  user: 'legacy',
  database: 'legacy',
  port: (config) => config.legacyPort,
  portEnv: 'LEGACY_PORT',
  seedArgs: (config) => ['--users', String(config.seedUsers), '--products', String(config.seedProducts), '--orders', String(config.seedOrders)],
});

export const legacyMigrate = legacy.migrate;
export const legacySeed = legacy.seed as NonNullable<typeof legacy.seed>;
export const legacyService = legacy.service;
