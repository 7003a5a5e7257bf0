import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_BATCH_SIZE } from './catalog-seed.js';

export interface SeedCliOptions {
  products: number;
  seed: number;
  batch: number;
}

export const SEED_DEFAULTS: SeedCliOptions = { products: 2_000, seed: 42, batch: DEFAULT_BATCH_SIZE };
export const SEED_LIMITS = { products: 100_000, seed: 4_294_967_295, batch: 10_000 } as const;

export const SEED_USAGE = `Usage: npm run seed -w new-services/catalog -- [options]

Fills an empty catalog_svc database (migrating it first) with the catalog legacy's seed writes for the same
--seed and --products: same ids, skus, names, prices and timestamps. Stock: a random quantity, nothing reserved.
Stand-in until the CDC projection fills the catalog from the monolith.

Options:
  --products <n>  products to create   (default ${SEED_DEFAULTS.products}, 1..${SEED_LIMITS.products})
  --seed <n>      random seed          (default ${SEED_DEFAULTS.seed}, 0..${SEED_LIMITS.seed})
  --batch <n>     rows per INSERT      (default ${SEED_DEFAULTS.batch}, 1..${SEED_LIMITS.batch})
  -h, --help      show this help

Connection: DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME (see new-services/catalog/src/config.ts).
Exit codes: 0 seeded, 1 configuration or database error, 2 bad arguments or database not empty.`;

function countArg(name: keyof SeedCliOptions, min: number) {
  const max = SEED_LIMITS[name];
  return z
    .string()
    .regex(/^\d+$/, `--${name} must be a whole number`)
    .transform(Number)
    .pipe(z.number().int().min(min, `--${name} must be at least ${min}`).max(max, `--${name} must be at most ${max}`));
}

const argsSchema = z.object({
  products: countArg('products', 1).default(SEED_DEFAULTS.products),
  seed: countArg('seed', 0).default(SEED_DEFAULTS.seed),
  batch: countArg('batch', 1).default(SEED_DEFAULTS.batch),
});

export type SeedArgsResult = { kind: 'run'; options: SeedCliOptions } | { kind: 'help' } | { kind: 'error'; message: string };

/** Pure: argv (without node and script) to options, help, or a message for the user. */
export function parseSeedArgs(argv: readonly string[]): SeedArgsResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        products: { type: 'string' },
        seed: { type: 'string' },
        batch: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { kind: 'help' };
  const { help: _help, ...rest } = values;
  const parsed = argsSchema.safeParse(rest);
  // Each message already names its option.
  if (!parsed.success) return { kind: 'error', message: parsed.error.issues.map((issue) => issue.message).join('; ') };
  return { kind: 'run', options: parsed.data };
}
