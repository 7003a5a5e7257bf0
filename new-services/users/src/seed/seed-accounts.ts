import { createHash } from 'node:crypto';
import { hashPassword, type Knex } from '@strangler/platform';
import { migrateToLatest } from '../db/migrations.js';
import { normalizeEmail } from '../features/users/users-store-type.js';
import type { AccountRow } from '../features/users/account-row.js';

/** The one password every demo account has. */
export const DEMO_PASSWORD = 'demo-password';
const BATCH_SIZE = 1_000;
const BASE_MS = Date.parse('2024-01-01T00:00:00.000Z');
const HOUR = 3_600_000;

const FIRST_NAMES = ['Anna', 'Ben', 'Chloé', 'David', 'Elena', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Karin', 'Liam'] as const;
const LAST_NAMES = ['Müller', 'Dubois', 'Rossi', 'García', 'Smith', 'Jansen', 'Novak', 'Andersson', 'Silva', 'Tanaka'] as const;

/** Seeding only ever fills an empty database; the CLI maps this to exit code 2. */
export class SeedRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedRefusedError';
  }
}

/** A demo account: an accounts row created here, so linked to no legacy user. */
export type AccountSeedRow = AccountRow & { legacy_id: null };

/** "Chloé" → "chloe": the ASCII local part of an email. */
function emailPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * Pure and deterministic: account n (1-based) is always the same row. Explicit ids; `legacy_id` stays NULL because
 * these accounts were not projected from the monolith.
 */
export function demoAccount(n: number, passwordHash: string): AccountSeedRow {
  const first = FIRST_NAMES[(n - 1) % FIRST_NAMES.length] as string;
  const last = LAST_NAMES[Math.floor((n - 1) / FIRST_NAMES.length) % LAST_NAMES.length] as string;
  const email = `${emailPart(first)}.${emailPart(last)}.${n}@example.com`;
  const createdAt = new Date(BASE_MS + (n - 1) * HOUR);
  // Every 20th account is suspended, some time after signing up.
  const suspended = n % 20 === 0;
  return {
    id: n,
    legacy_id: null,
    email,
    email_normalized: normalizeEmail(email),
    display_name: `${first} ${last}`,
    status: suspended ? 'suspended' : 'active',
    password_hash: passwordHash,
    version: suspended ? 2 : 1,
    created_at: createdAt,
    updated_at: suspended ? new Date(createdAt.getTime() + 24 * HOUR) : createdAt,
  };
}

/** One scrypt for the whole run, with a fixed salt, so every run writes byte-identical rows. */
export function demoPasswordHash(): Promise<string> {
  const salt = createHash('sha256').update('strangler-users-svc-demo-salt').digest().subarray(0, 16);
  return hashPassword(DEMO_PASSWORD, salt);
}

export async function countAccounts(db: Knex): Promise<number> {
  const [row] = (await db('accounts').count({ n: '*' })) as Array<{ n: number | string }>;
  return Number(row?.n ?? 0);
}

/** Migrates, refuses a database that already has accounts, then inserts `accounts` demo accounts in batches. */
export async function seedAccounts(db: Knex, options: { accounts: number; onProgress?: (inserted: number, total: number) => void }): Promise<number> {
  await migrateToLatest(db);
  const existing = await countAccounts(db);
  if (existing > 0) {
    throw new SeedRefusedError(
      `Refusing to seed: the database already has data (accounts: ${existing} rows). ` +
        'Seeding is for an empty, migrated database; point DB_NAME at a fresh database or recreate this one.',
    );
  }
  const passwordHash = await demoPasswordHash();
  let inserted = 0;
  for (let from = 1; from <= options.accounts; from += BATCH_SIZE) {
    const batch: AccountSeedRow[] = [];
    for (let n = from; n < from + BATCH_SIZE && n <= options.accounts; n++) batch.push(demoAccount(n, passwordHash));
    await db.transaction((trx) => trx('accounts').insert(batch));
    inserted += batch.length;
    options.onProgress?.(inserted, options.accounts);
  }
  return inserted;
}
