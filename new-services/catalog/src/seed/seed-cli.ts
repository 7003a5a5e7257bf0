import { ConfigError, createDb, dbOptionsFromConfig, describeDbError } from '@strangler/platform';
import { loadCatalogDbConfig, type CatalogDbConfig } from '../config.js';
import { SeedRefusedError, seedCatalog } from './catalog-seed.js';
import { parseSeedArgs, SEED_USAGE } from './seed-args.js';

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
  const { products, seed, batch } = args.options;
  const db = createDb({ ...dbOptionsFromConfig(config), poolMax: 1 });
  try {
    const summary = await seedCatalog(db, {
      products,
      seed,
      batchSize: batch,
      onProgress: (inserted, total) => process.stderr.write(`seed: products ${inserted}/${total} (${Math.floor((inserted / total) * 100)}%)\n`),
    });
    console.log(`seeded ${target} (seed ${seed}) in ${(summary.elapsedMs / 1000).toFixed(1)} s: ${summary.products} products`);
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
