import { nodeApp } from './node-app.js';

// Each extracted service owns its database. Until CDC keeps them in sync with the monolith, each seeds its own demo data.

export const [usersMigrate, usersSeed, usersService] = nodeApp({
  name: 'users',
  dir: 'new-services/users',
  user: 'users_svc',
  database: 'users_svc',
  port: (config) => config.usersPort,
  portEnv: 'USERS_PORT',
  seedArgs: (config) => ['--accounts', String(config.seedUsers)],
});

export const [catalogMigrate, catalogSeed, catalogService] = nodeApp({
  name: 'catalog',
  dir: 'new-services/catalog',
  user: 'catalog_svc',
  database: 'catalog_svc',
  port: (config) => config.catalogPort,
  portEnv: 'CATALOG_PORT',
  seedArgs: (config) => ['--products', String(config.seedProducts)],
});
