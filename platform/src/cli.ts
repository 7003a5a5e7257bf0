import { ConfigError } from './config.js';
import { createDb, dbOptionsFromConfig, type Knex } from './db.js';

/** mysql2's own message and code, without the SQL that knex prepends to query errors (kept short). */
export function describeDbError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, sqlMessage } = error as Error & { code?: string; sqlMessage?: string };
  const message = sqlMessage ?? (error.message.length > 300 ? `${error.message.slice(0, 300)}…` : error.message);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Runs a CLI's main: its number becomes the exit code; an unexpected error is printed and exits 1. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}

interface DbConfig {
  dbHost: string;
  dbPort: number;
  dbUser: string;
  dbPassword: string;
  dbName: string;
  dbPoolMax: number;
}

/**
 * Every package's `migrate` CLI: applies pending migrations and says what it did.
 * Exit 0 on success, 1 on a configuration or database problem (printed plainly, no stack trace).
 */
export async function migrateCli(loadConfig: () => DbConfig, migrate: (db: Knex) => Promise<string[]>): Promise<number> {
  let config: DbConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const target = `${config.dbHost}:${config.dbPort}/${config.dbName}`;
  // One connection is all migrations use.
  const db = createDb({ ...dbOptionsFromConfig(config), poolMax: 1 });
  try {
    const applied = await migrate(db);
    console.log(
      applied.length > 0
        ? `migrate: ${target}: applied ${applied.length} migration(s): ${applied.join(', ')}`
        : `migrate: ${target}: already up to date, nothing applied`,
    );
    return 0;
  } catch (error) {
    console.error(`migrate: cannot migrate ${target} (user ${config.dbUser}): ${describeDbError(error)}`);
    return 1;
  } finally {
    await db.destroy();
  }
}
