import { ConfigError, createDb, dbOptionsFromConfig } from '@strangler/platform';
import { loadCatalogDbConfig, type CatalogDbConfig } from '../config.js';
import { migrateToLatest } from './migrations.js';

/** `npm run migrate -w new-services/catalog`: applies pending migrations. Exit 0 on success, 1 on a configuration or database problem. */
async function main(): Promise<number> {
  let config: CatalogDbConfig;
  try {
    config = loadCatalogDbConfig();
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
    const applied = await migrateToLatest(db);
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

/** mysql2's own message and code, without the SQL that knex prepends to query errors. */
function describeDbError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code, sqlMessage } = error as Error & { code?: string; sqlMessage?: string };
  const message = sqlMessage ?? error.message;
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
