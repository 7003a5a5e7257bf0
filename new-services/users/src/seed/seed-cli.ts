import { ConfigError, createDb, dbOptionsFromConfig, describeDbError } from '@strangler/platform';
import { loadUsersDbConfig, type UsersDbConfig } from '../config.js';
import { parseSeedArgs, SEED_USAGE } from './seed-args.js';
import { DEMO_PASSWORD, SeedRefusedError, seedAccounts } from './seed-accounts.js';

/** Exit codes: 0 seeded, 1 configuration or database problem, 2 bad arguments or a database that is not empty. */
async function main(argv: readonly string[]): Promise<number> {
  const args = parseSeedArgs(argv);
  if (args.kind === 'help') {
    console.log(SEED_USAGE);
    return 0;
  }
  if (args.kind === 'error') {
    console.error(`seed: ${args.message}\n\n${SEED_USAGE}`);
    return 2;
  }

  let config: UsersDbConfig;
  try {
    config = loadUsersDbConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }

  const target = `${config.dbHost}:${config.dbPort}/${config.dbName}`;
  const db = createDb(dbOptionsFromConfig(config));
  const started = performance.now();
  try {
    const inserted = await seedAccounts(db, {
      accounts: args.options.accounts,
      onProgress: (done, total) => console.error(`seed: accounts ${done}/${total} (${Math.floor((done / total) * 100)}%)`),
    });
    console.log(`seeded ${target} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    console.log(`  accounts ${inserted}`);
    const first = (await db('accounts').orderBy('id').first('email')) as { email: string } | undefined;
    console.log(`every demo account has the password "${DEMO_PASSWORD}"${first ? `, e.g. ${first.email}` : ''}`);
    return 0;
  } catch (error) {
    if (error instanceof SeedRefusedError) {
      console.error(`seed: ${error.message}`);
      return 2;
    }
    console.error(`seed: database error on ${target} (user ${config.dbUser}): ${describeDbError(error)}`);
    return 1;
  } finally {
    await db.destroy();
  }
}


main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
