import { nodeApp } from './node-app.js';

// Each extracted service owns its database. The stack fills it from the monolith through CDC (the projectors in
// ./cdc.ts), so it has no seed step of its own: its rows are the monolith's, ids included. (Each service's seed CLI
// still exists, for running a service on its own.)

const users = nodeApp({
  name: 'users',
  dir: 'new-services/users',
  user: 'users_svc',
  database: 'users_svc',
  port: (config) => config.usersPort,
  portEnv: 'USERS_PORT',
});

const catalog = nodeApp({
  name: 'catalog',
  dir: 'new-services/catalog',
  user: 'catalog_svc',
  database: 'catalog_svc',
  port: (config) => config.catalogPort,
  portEnv: 'CATALOG_PORT',
});

export const usersMigrate = users.migrate;
export const usersService = users.service;
export const catalogMigrate = catalog.migrate;
export const catalogService = catalog.service;
