import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { secret, type StackComponent, type StackContext } from '../context.js';
import type { Prerequisite } from '../prerequisites.js';
import {
  ensureRoleAndDatabase,
  isPostgresReady,
  POSTGRES_BIN_DIR,
  POSTGRES_BINARIES,
  POSTGRES_INSTALL_HINT,
  postgresOsUser,
  postgresPaths,
  preparePostgres,
  removeRelocatedServerHome,
  spawnPostgres,
  stopLeftoverPostgres,
  stopPostgres,
  type PostgresInstance,
} from './postgres.js';

/** The role and database Unleash uses; its password is generated into <STACK_DIR>/secrets.json on first start. */
export const UNLEASH_DATABASE = { role: 'unleash', database: 'unleash' } as const;
export const UNLEASH_DB_PASSWORD_KEY = 'postgres.unleash.password';

export function postgresInstance(ctx: StackContext, options: { fast?: boolean } = {}): PostgresInstance {
  return {
    home: join(ctx.paths.stackDir, 'postgres'),
    port: ctx.config.postgresPort,
    fast: options.fast,
    env: { ...ctx.baseEnv },
    detached: true,
  };
}

/** The server binaries in Debian's fixed location, and (when the launcher is root) the OS user to run them as. */
export function postgresPrerequisite(binDir = POSTGRES_BIN_DIR): Prerequisite {
  return {
    what: `PostgreSQL 15 server (${binDir})`,
    problem() {
      const missing = POSTGRES_BINARIES.filter((name) => {
        try {
          accessSync(join(binDir, name), constants.X_OK);
          return false;
        } catch {
          return true;
        }
      });
      if (missing.length > 0) return `not found (looked for ${missing.map((name) => join(binDir, name)).join(', ')})`;
      try {
        postgresOsUser();
        return undefined;
      } catch {
        return 'the launcher runs as root but there is no "postgres" OS user to run the server as';
      }
    },
    install: POSTGRES_INSTALL_HINT,
  };
}

/**
 * A private PostgreSQL 15 cluster (data in <STACK_DIR>/postgres/data, 127.0.0.1 only) for Unleash.
 * `fast` (test runs) turns fsync off.
 */
export function postgresComponent(options: { fast?: boolean } = {}): StackComponent {
  const instance = (ctx: StackContext) => postgresInstance(ctx, options);
  return {
    name: 'postgres',
    prerequisites: [postgresPrerequisite()],
    secrets: [UNLEASH_DB_PASSWORD_KEY],
    ports: (ctx) => [{ port: ctx.config.postgresPort, env: 'POSTGRES_PORT' }],
    stopLeftovers: (ctx) => stopLeftoverPostgres(instance(ctx)),
    async prepare({ stack, progress }) {
      let moved = '';
      const created = await preparePostgres(instance(stack), ({ serverHome, blocked }) => {
        // Moved only ever together with a new cluster: the folder is made empty when it is chosen.
        if (blocked) moved = ` in ${serverHome} (the postgres OS user cannot pass through ${blocked})`;
      });
      // One line: plain (non-terminal) progress is throttled, so a second one right after could be dropped.
      if (created) progress(`initialised a new cluster (initdb)${moved}`);
    },
    start: ({ stack }) => spawnPostgres(instance(stack)),
    health: { check: (ctx) => isPostgresReady(instance(ctx)), intervalMs: 100 },
    async afterHealthy({ stack, progress }) {
      progress(`ensuring role and database "${UNLEASH_DATABASE.database}"`);
      await ensureRoleAndDatabase(instance(stack), { ...UNLEASH_DATABASE, password: secret(stack, UNLEASH_DB_PASSWORD_KEY) });
    },
    stop: (process) => stopPostgres(process),
    removeExternalState: (ctx) => removeRelocatedServerHome(instance(ctx).home),
    readyNote(ctx) {
      const { serverHome } = postgresPaths(instance(ctx));
      return serverHome === instance(ctx).home ? undefined : `PostgreSQL's data is in ${serverHome} (the postgres OS user cannot reach STACK_DIR).`;
    },
    endpoint: (ctx) => `127.0.0.1:${ctx.config.postgresPort}`,
    logFile: (ctx) => postgresPaths(instance(ctx)).logFile,
    failureHint: 'PostgreSQL writes its log to <STACK_DIR>/postgres/postgres.log; `npm run stack:reset` starts over with a new cluster.',
  };
}

export const postgresServer: StackComponent = postgresComponent();
