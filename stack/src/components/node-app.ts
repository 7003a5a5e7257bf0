import type { StackConfig } from '../config.js';
import { secret, type StackComponent, type StackContext } from '../context.js';
import { mariadbEnv } from './mariadb-server.js';
import { nodeService, nodeStep } from './node-process.js';

export interface NodeAppSpec {
  /** Component name of the server; its steps are `<name>-migrate` and `<name>-seed`. */
  name: string;
  /** Workspace folder holding src/server.ts, src/db/migrate-cli.ts and src/seed/seed-cli.ts. */
  dir: string;
  user: string;
  database: string;
  port: (config: StackConfig) => number;
  portEnv: string;
  /** Demo data on the first start; omit for a service whose data arrives by CDC from the monolith. */
  seedArgs?: (config: StackConfig) => string[];
}

export interface NodeAppComponents {
  migrate: StackComponent;
  seed?: StackComponent;
  service: StackComponent;
}

/**
 * An application of this repo with its own MariaDB database: migrations on every start (idempotent),
 * demo data on the first start only (when it has a seed), then the server (health = GET /ready).
 */
export function nodeApp(spec: NodeAppSpec): NodeAppComponents {
  const db = (ctx: StackContext) => mariadbEnv(ctx, spec.user, spec.database);
  const migrate = nodeStep({
    name: `${spec.name}-migrate`,
    dependsOn: ['mariadb'],
    script: `${spec.dir}/src/db/migrate-cli.ts`,
    env: db,
  });
  const seedArgs = spec.seedArgs;
  const seed = seedArgs && nodeStep({
    name: `${spec.name}-seed`,
    dependsOn: [migrate.name],
    script: `${spec.dir}/src/seed/seed-cli.ts`,
    args: (ctx) => seedArgs(ctx.config),
    env: db,
    once: true,
    // The seed CLIs refuse a non-empty database, and an interrupted first seed leaves one behind.
    failureHint: 'if an earlier first start was interrupted while seeding, the database holds partial data: `npm run stack:reset` starts over',
  });
  const service = nodeService({
    name: spec.name,
    dependsOn: [(seed ?? migrate).name],
    script: `${spec.dir}/src/server.ts`,
    port: (ctx) => spec.port(ctx.config),
    portEnv: spec.portEnv,
    secrets: ['jwtSecret'],
    env: (ctx) => ({
      ...db(ctx),
      HOST: '127.0.0.1',
      PORT: String(spec.port(ctx.config)),
      // Every implementation verifies the tokens legacy signs.
      JWT_SECRET: secret(ctx, 'jwtSecret'),
      LOG_LEVEL: ctx.config.serviceLogLevel,
    }),
  });
  return { migrate, seed, service };
}
