import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { StackSlice } from '../config.js';
import { secret, type StackComponent, type StackContext } from '../context.js';
import { executablePrerequisite } from '../prerequisites.js';
import {
  ensureDatabasesAndAccounts,
  isMariaDbReady,
  MARIADB_INSTALL_DB_BINARIES,
  MARIADB_INSTALL_HINT,
  MARIADB_SERVER_BINARIES,
  mariaDbPaths,
  prepareMariaDb,
  restrictRootToSocket,
  spawnMariaDb,
  stopLeftoverMariaDb,
  stopMariaDb,
  type MariaDbAccount,
  type MariaDbInstance,
} from './mariadb.js';

/**
 * The databases and least-privilege accounts on the stack's MariaDB, made to match this list on every start:
 * the monolith's, and one per slice manifest's service (`service.database`, owned by an account of that name).
 * Passwords are generated on first start into <STACK_DIR>/secrets.json under `mariadbPasswordKey(user)`.
 */
export const LEGACY_DATABASE = 'legacy';

/** One database per application: the monolith's, and one per extracted service (each owns its schema). */
export function appDatabases(slices: readonly StackSlice[]): Array<{ user: string; database: string }> {
  return [
    { user: LEGACY_DATABASE, database: LEGACY_DATABASE },
    ...slices.map(({ manifest }) => ({ user: manifest.service.database, database: manifest.service.database })),
  ];
}

export function mariadbAccounts(slices: readonly StackSlice[]): MariaDbAccount[] {
  return [
  // What an application and its migrations need, on its own database only.
  ...appDatabases(slices).map(({ user, database }) => ({
    user,
    grants: [
      {
        privileges: ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'ALTER', 'INDEX', 'DROP', 'REFERENCES', 'LOCK TABLES'],
        on: `\`${database}\`.*`,
      },
    ],
  })),
  {
    // Debezium's binlog reader: snapshot reads plus replication (global privileges, hence *.*).
    user: 'cdc',
    grants: [{ privileges: ['SELECT', 'RELOAD', 'SHOW DATABASES', 'REPLICATION SLAVE', 'REPLICATION CLIENT'], on: '*.*' }],
  },
  ];
}

export function mariadbPasswordKey(user: string): string {
  return `mariadb.${user}.password`;
}

/** DB_* variables for a process that connects as `user` to `database` (the platform's dbConfigKeys). */
export function mariadbEnv(ctx: StackContext, user: string, database: string): Record<string, string> {
  return {
    DB_HOST: '127.0.0.1',
    DB_PORT: String(ctx.config.mariadbPort),
    DB_USER: user,
    DB_PASSWORD: secret(ctx, mariadbPasswordKey(user)),
    DB_NAME: database,
  };
}

function instance(ctx: StackContext): MariaDbInstance {
  return {
    home: join(ctx.paths.stackDir, 'mariadb'),
    port: ctx.config.mariadbPort,
    serverId: 1,
    env: { ...ctx.baseEnv },
    detached: true,
  };
}

/** The private MariaDB every database-backed component uses (binlog on, for CDC). */
export function mariadbServer(slices: readonly StackSlice[]): StackComponent {
  const accounts = mariadbAccounts(slices);
  const databases = appDatabases(slices).map((app) => app.database);
  return {
  name: 'mariadb',
  prerequisites: [
    executablePrerequisite('mariadbd (MariaDB server)', MARIADB_SERVER_BINARIES, MARIADB_INSTALL_HINT),
    executablePrerequisite('mariadb-install-db', MARIADB_INSTALL_DB_BINARIES, MARIADB_INSTALL_HINT),
  ],
  secrets: accounts.map((account) => mariadbPasswordKey(account.user)),
  ports: (ctx) => [{ port: ctx.config.mariadbPort, env: 'MARIADB_PORT' }],
  stopLeftovers: (ctx) => stopLeftoverMariaDb(instance(ctx)),
  async prepare({ stack, progress }) {
    if (await prepareMariaDb(instance(stack))) progress('initialised a new data directory');
    // root needs no password on the socket: only the owner may reach it.
    chmodSync(instance(stack).home, 0o700);
  },
  start: ({ stack }) => spawnMariaDb(instance(stack)),
  health: { check: (ctx) => isMariaDbReady(instance(ctx)), intervalMs: 100 },
  async afterHealthy({ stack }) {
    const passwords = Object.fromEntries(accounts.map((a) => [a.user, secret(stack, mariadbPasswordKey(a.user))]));
    await restrictRootToSocket(instance(stack));
    await ensureDatabasesAndAccounts(instance(stack), { databases, accounts, passwords });
  },
  stop: (process) => stopMariaDb(process),
  endpoint: (ctx) => `127.0.0.1:${ctx.config.mariadbPort}`,
  logFile: (ctx) => mariaDbPaths(instance(ctx)).logFile,
  };
}
