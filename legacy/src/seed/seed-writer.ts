import { createHash } from 'node:crypto';
import { hashPassword, type Knex } from '@strangler/platform';
import { migrateToLatest } from '../db/migrations.js';
import {
  countRows,
  createSeedPlan,
  generateInventory,
  generateOrders,
  generateProducts,
  generateUsers,
  inBatches,
  SEED_TABLES,
  type OrderItemRow,
  type OrderRow,
  type SeedCounts,
  type SeedSizes,
  type SeedTable,
} from './generator.js';

/** The one password every seeded user has, so any seeded email can log in to the demo. */
export const DEMO_PASSWORD = 'demo-password';
export const DEFAULT_BATCH_SIZE = 1000;

/** Seeding only ever fills an empty database; the CLI maps this to exit code 2. */
export class SeedRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedRefusedError';
  }
}

export interface SeedProgress {
  table: SeedTable;
  /** Rows of this table written so far. */
  inserted: number;
  total: number;
}

export interface SeedDatabaseOptions extends SeedSizes {
  seed: number;
  batchSize?: number;
  /**
   * Hash stored for every user. Default: `hashPassword(DEMO_PASSWORD)` computed once per run with a salt derived from
   * the seed — one scrypt instead of one per user (10k × scrypt would take minutes), and the same bytes every run.
   */
  passwordHash?: string;
  /** Called once the row counts are known, before anything is written. */
  onStart?: (totals: SeedCounts) => void;
  /** Called after each committed batch. */
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedSummary {
  rows: SeedCounts;
  elapsedMs: number;
}

/** Row counts of the seeded tables; all zero in a database fit for seeding. */
export async function countExistingRows(db: Knex): Promise<SeedCounts> {
  const counts = {} as SeedCounts;
  for (const table of SEED_TABLES) {
    const [row] = (await db(table).count({ n: '*' })) as Array<{ n: number | string }>;
    counts[table] = Number(row?.n ?? 0);
  }
  return counts;
}

/**
 * Migrates, then fills an empty database with deterministic demo data in foreign-key order: multi-row INSERTs of
 * `batchSize` rows, one transaction per batch (an order batch commits together with its items).
 */
export async function seedDatabase(db: Knex, options: SeedDatabaseOptions): Promise<SeedSummary> {
  const started = performance.now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  await migrateToLatest(db);

  const existing = await countExistingRows(db);
  const filled = SEED_TABLES.filter((table) => existing[table] > 0);
  if (filled.length > 0) {
    throw new SeedRefusedError(
      `Refusing to seed: the database already has data (${filled.map((t) => `${t}: ${existing[t]} rows`).join(', ')}). ` +
        'Seeding is for an empty, migrated database; point DB_NAME at a fresh database or recreate this one.',
    );
  }

  // The salt comes from the seed too, so the same seed gives byte-identical users, password hashes included.
  const salt = createHash('sha256').update(`strangler-demo-salt:${options.seed}`).digest().subarray(0, 16);
  const passwordHash = options.passwordHash ?? (await hashPassword(DEMO_PASSWORD, salt));
  const plan = createSeedPlan({ users: options.users, products: options.products, orders: options.orders, seed: options.seed, passwordHash });
  const totals = countRows(plan);
  options.onStart?.(totals);

  const inserted: SeedCounts = { users: 0, products: 0, inventory: 0, orders: 0, order_items: 0 };
  const report = (table: SeedTable, rows: number): void => {
    inserted[table] += rows;
    options.onProgress?.({ table, inserted: inserted[table], total: totals[table] });
  };

  for (const batch of inBatches(generateUsers(plan), batchSize)) {
    await db.transaction((trx) => trx('users').insert(batch));
    report('users', batch.length);
  }
  for (const batch of inBatches(generateProducts(plan), batchSize)) {
    await db.transaction((trx) => trx('products').insert(batch));
    report('products', batch.length);
  }
  for (const batch of inBatches(generateOrders(plan), batchSize)) {
    const orders: OrderRow[] = batch.map((generated) => generated.order);
    const items: OrderItemRow[] = batch.flatMap((generated) => generated.items);
    await db.transaction(async (trx) => {
      await trx('orders').insert(orders);
      for (const chunk of inBatches(items, batchSize)) await trx('order_items').insert(chunk);
    });
    report('orders', orders.length);
    report('order_items', items.length);
  }
  for (const batch of inBatches(generateInventory(plan), batchSize)) {
    await db.transaction((trx) => trx('inventory').insert(batch));
    report('inventory', batch.length);
  }

  return { rows: inserted, elapsedMs: performance.now() - started };
}
