import { parseArgs } from 'node:util';
import { z } from 'zod';
import { DEMO_PASSWORD } from './seed-accounts.js';

export interface SeedCliOptions {
  accounts: number;
}

export const SEED_DEFAULTS: SeedCliOptions = { accounts: 1_000 };
export const SEED_LIMITS = { accounts: 1_000_000 } as const;

export const SEED_USAGE = `Usage: npm run seed -w new-services/users -- [options]

Fills an empty users_svc database with deterministic demo accounts (migrating it first): the same
--accounts always gives the same rows. A stopgap until CDC projects the monolith's users here.

Options:
  --accounts <n>  accounts to create  (default ${SEED_DEFAULTS.accounts}, 1..${SEED_LIMITS.accounts})
  -h, --help      show this help

Every demo account logs in with the password "${DEMO_PASSWORD}" (once login moves here).

Connection: DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME (see new-services/users/src/config.ts).
Exit codes: 0 seeded, 1 configuration or database error, 2 bad arguments or database not empty.`;

const argsSchema = z.object({
  accounts: z
    .string()
    .regex(/^\d+$/, '--accounts must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(1, '--accounts must be at least 1').max(SEED_LIMITS.accounts, `--accounts must be at most ${SEED_LIMITS.accounts}`))
    .default(SEED_DEFAULTS.accounts),
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
      options: { accounts: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
  }
  if (values.help) return { kind: 'help' };
  const { help: _help, ...rest } = values;
  const parsed = argsSchema.safeParse(rest);
  if (!parsed.success) return { kind: 'error', message: parsed.error.issues.map((issue) => issue.message).join('; ') };
  return { kind: 'run', options: parsed.data };
}
