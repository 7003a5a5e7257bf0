import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEFAULT_BATCH_SIZE, DEMO_PASSWORD } from './seed-writer.js';

export interface SeedCliOptions {
  users: number;
  products: number;
  orders: number;
  seed: number;
  batch: number;
}

export const SEED_DEFAULTS: SeedCliOptions = { users: 10_000, products: 2_000, orders: 50_000, seed: 42, batch: DEFAULT_BATCH_SIZE };

/** Upper bounds that keep a run to minutes and the in-memory part (users' timestamps, catalog) small. */
export const SEED_LIMITS = { users: 1_000_000, products: 100_000, orders: 5_000_000, seed: 4_294_967_295, batch: 10_000 } as const;

export const SEED_USAGE = `Usage: npm run seed -- [options]

Fills an empty legacy database with deterministic demo data (migrating it first).
The same --seed and sizes give the same rows in a fresh database.

Options:
  --users <n>     users to create           (default ${SEED_DEFAULTS.users}, 1..${SEED_LIMITS.users})
  --products <n>  products (+ inventory)    (default ${SEED_DEFAULTS.products}, 1..${SEED_LIMITS.products})
  --orders <n>    orders, 1-4 items each    (default ${SEED_DEFAULTS.orders}, 1..${SEED_LIMITS.orders})
  --seed <n>      random seed               (default ${SEED_DEFAULTS.seed}, 0..${SEED_LIMITS.seed})
  --batch <n>     rows per INSERT           (default ${SEED_DEFAULTS.batch}, 1..${SEED_LIMITS.batch})
  -h, --help      show this help

Every seeded user logs in with the password "${DEMO_PASSWORD}" (hashed once per run and shared,
since hashing it per user would take minutes); only that hash's salt differs between runs.

Connection: DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME (see legacy/src/config.ts).
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
  users: countArg('users', 1).default(SEED_DEFAULTS.users),
  products: countArg('products', 1).default(SEED_DEFAULTS.products),
  orders: countArg('orders', 1).default(SEED_DEFAULTS.orders),
  seed: countArg('seed', 0).default(SEED_DEFAULTS.seed),
  batch: countArg('batch', 1).default(SEED_DEFAULTS.batch),
});

export type SeedArgsResult =
  | { kind: 'run'; options: SeedCliOptions }
  | { kind: 'help' }
  | { kind: 'error'; message: string };

/** Pure: argv (without node and script) to options, help, or a message for the user. */
export function parseSeedArgs(argv: readonly string[]): SeedArgsResult {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        users: { type: 'string' },
        products: { type: 'string' },
        orders: { type: 'string' },
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
