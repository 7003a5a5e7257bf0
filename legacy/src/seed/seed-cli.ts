import { ConfigError, createDb, dbOptionsFromConfig, describeDbError } from '@strangler/platform';
import { loadLegacyDbConfig, type LegacyDbConfig } from '../config.js';
import { SEED_TABLES } from './generator.js';
import { createProgressReporter } from './progress.js';
import { parseSeedArgs, SEED_USAGE } from './seed-args.js';
import { DEMO_PASSWORD, SeedRefusedError, seedDatabase } from './seed-writer.js';

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

  let config: LegacyDbConfig;
  try {
    config = loadLegacyDbConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }

  const target = `${config.dbHost}:${config.dbPort}/${config.dbName}`;
  const { users, products, orders, seed, batch } = args.options;
  const db = createDb(dbOptionsFromConfig(config));
  const progress = createProgressReporter(process.stderr);
  try {
    const summary = await seedDatabase(db, {
      users,
      products,
      orders,
      seed,
      batchSize: batch,
      onStart: (totals) => progress.start(totals),
      onProgress: (p) => progress.update(p),
    });
    progress.stop();
    const total = Object.values(summary.rows).reduce((sum, n) => sum + n, 0);
    const width = Math.max(...SEED_TABLES.map((t) => t.length), 'total'.length);
    console.log(`seeded ${target} (seed ${seed}) in ${(summary.elapsedMs / 1000).toFixed(1)} s`);
    for (const table of SEED_TABLES) console.log(`  ${table.padEnd(width)} ${String(summary.rows[table]).padStart(9)}`);
    console.log(`  ${'total'.padEnd(width)} ${String(total).padStart(9)}`);
    const first = (await db('users').orderBy('id').first('email')) as { email: string } | undefined;
    console.log(`every seeded user logs in with password "${DEMO_PASSWORD}"${first ? `, e.g. ${first.email}` : ''}`);
    return 0;
  } catch (error) {
    progress.stop();
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
