import knexFactory, { type Knex } from 'knex';

export type { Knex };

export interface DbOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string;
  poolMax?: number;
}

/** knex on mysql2 with the settings every package relies on: UTC, utf8mb4, numbers as numbers. */
export function createDb(options: DbOptions): Knex {
  return knexFactory({
    client: 'mysql2',
    connection: {
      host: options.host,
      port: options.port,
      user: options.user,
      password: options.password,
      database: options.database,
      charset: 'utf8mb4',
      timezone: 'Z',
      decimalNumbers: true,
      supportBigNumbers: true,
    },
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      // DATETIME columns hold UTC; make CURRENT_TIMESTAMP agree whatever the server's zone is.
      afterCreate(connection: { query: (sql: string, cb: (error: Error | null) => void) => void }, done: (error: Error | null, connection: unknown) => void) {
        connection.query("SET time_zone = '+00:00'", (error) => done(error, connection));
      },
    },
  });
}

export function dbOptionsFromConfig(config: {
  dbHost: string;
  dbPort: number;
  dbUser: string;
  dbPassword: string;
  dbName: string;
  dbPoolMax: number;
}): DbOptions {
  return {
    host: config.dbHost,
    port: config.dbPort,
    user: config.dbUser,
    password: config.dbPassword,
    database: config.dbName,
    poolMax: config.dbPoolMax,
  };
}

/** Readiness probe: a round trip to the database. */
export async function pingDb(db: Knex): Promise<void> {
  await db.raw('select 1');
}

export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'ER_DUP_ENTRY';
}
