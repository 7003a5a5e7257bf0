import { nodeApp } from './node-app.js';

/** The monolith: migrations on every start, demo data on the first start, then the server. */
export const [legacyMigrate, legacySeed, legacyService] = nodeApp({
  name: 'legacy',
  dir: 'legacy',
  user: 'legacy',
  database: 'legacy',
  port: (config) => config.legacyPort,
  portEnv: 'LEGACY_PORT',
  seedArgs: (config) => ['--users', String(config.seedUsers), '--products', String(config.seedProducts), '--orders', String(config.seedOrders)],
});
