import { chmodSync } from 'node:fs';
import { join } from 'node:path';
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
 * The databases and least-privilege accounts on the stack's MariaDB, made to match this list on every start.
 * A service that gets its own database (users_svc, catalog_svc, …) adds its database and account here.
 * Passwords are generated on first start into <STACK_DIR>/secrets.json under `mariadbPasswordKey(user)`.
 */
/** One database per application: the monolith's, and one per extracted service (each owns its schema). */
export const APP_DATABASES = [
  { user: 'legacy', database: 'legacy' },
  { user: 'users_svc', database: 'users_svc' },
  { user: 'catalog_svc', database: 'catalog_svc' },
] as const;

export const MARIADB_DATABASES: readonly string[] = APP_DATABASES.map((app) => app.database);

export const MARIADB_ACCOUNTS: readonly MariaDbAccount[] = [
  // What an application and its migrations need, on its own database only.
  ...APP_DATABASES.map(({ user, database }) => ({
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
export const mariadbServer: StackComponent = {
  name: 'mariadb',
  prerequisites: [
    executablePrerequisite('mariadbd (MariaDB server)', MARIADB_SERVER_BINARIES, MARIADB_INSTALL_HINT),
    executablePrerequisite('mariadb-install-db', MARIADB_INSTALL_DB_BINARIES, MARIADB_INSTALL_HINT),
  ],
  secrets: MARIADB_ACCOUNTS.map((account) => mariadbPasswordKey(account.user)),
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
    const passwords = Object.fromEntries(MARIADB_ACCOUNTS.map((a) => [a.user, secret(stack, mariadbPasswordKey(a.user))]));
    await restrictRootToSocket(instance(stack));
    await ensureDatabasesAndAccounts(instance(stack), { databases: MARIADB_DATABASES, accounts: MARIADB_ACCOUNTS, passwords });
  },
  stop: (process) => stopMariaDb(process),
  endpoint: (ctx) => `127.0.0.1:${ctx.config.mariadbPort}`,
  logFile: (ctx) => mariaDbPaths(instance(ctx)).logFile,
};
