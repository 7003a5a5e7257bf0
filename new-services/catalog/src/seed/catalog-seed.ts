import type { Knex } from '@strangler/platform';
import { migrateToLatest } from '../db/migrations.js';
import { createRng, type Weighted } from './random.js';

/**
 * Deterministic demo data for catalog_svc, until the CDC projection fills it from the monolith.
 *
 * The products are exactly those legacy's seed writes for the same --seed and --products (same ids, skus, names,
 * descriptions, prices, flags and timestamps: the generator below is a copy of legacy's product part), stored as
 * legacy rows (`legacy_id` = `id`). So reads routed here answer like the seeded monolith, and the projector's first
 * snapshot reconciles these rows in place instead of stopping at rows it did not project.
 * Stock cannot match: legacy derives `reserved` from its orders. Here quantity is drawn from an own stream and
 * reserved is 0.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const BASE_MS = Date.parse('2024-01-01T00:00:00.000Z');
/** The catalog is built in January 2024 (as in legacy's seed). */
const PRODUCTS_FROM = BASE_MS;
const PRODUCTS_SPAN = 30 * DAY;

const ADJECTIVES = [
  'Ergonomic', 'Rustic', 'Sleek', 'Compact', 'Durable', 'Handcrafted', 'Lightweight', 'Modern', 'Vintage', 'Premium',
  'Classic', 'Foldable', 'Portable', 'Minimalist', 'Sturdy', 'Elegant', 'Recycled', 'Smart', 'Cozy', 'Waterproof',
] as const;

const MATERIALS = [
  'Oak', 'Steel', 'Cotton', 'Leather', 'Bamboo', 'Ceramic', 'Glass', 'Wool', 'Aluminium', 'Linen', 'Granite', 'Copper',
] as const;

const NOUNS = [
  'Chair', 'Table', 'Lamp', 'Backpack', 'Mug', 'Kettle', 'Desk', 'Shelf', 'Blanket', 'Wallet', 'Bottle', 'Clock',
  'Vase', 'Stool', 'Notebook', 'Bench', 'Cushion', 'Tray', 'Planter', 'Speaker', 'Headphones', 'Jacket', 'Scarf', 'Bowl',
] as const;

const FEATURES = [
  'Built to last for years of daily use.',
  'Designed in Europe and assembled by hand.',
  'Easy to clean and maintain.',
  'Ships flat-packed in recyclable packaging.',
  'Comes with a two-year warranty.',
  'A customer favourite since launch.',
  'Fits neatly into small spaces.',
  'Available while stocks last.',
] as const;

/** Price tiers in whole currency units; prices end in .99. */
const PRICE_TIERS: readonly Weighted<readonly [number, number]>[] = [
  [[2, 30], 50],
  [[30, 200], 35],
  [[200, 1000], 15],
];

const CURRENCY: readonly Weighted<'EUR' | 'USD'>[] = [
  ['EUR', 80],
  ['USD', 20],
];

export const DEFAULT_BATCH_SIZE = 1000;

/** An insert row of catalog_svc.products. */
export interface CatalogSeedRow {
  id: number;
  legacy_id: number;
  sku: string;
  name: string;
  description: string;
  price_amount_minor: number;
  price_currency: string;
  is_active: boolean;
  stock_quantity: number;
  stock_reserved: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  stock_updated_at: Date;
}

export interface CatalogSeedOptions {
  products: number;
  seed: number;
}

/** Pure: the same options always give the same rows, ids 1..n. */
export function generateCatalog(options: CatalogSeedOptions): CatalogSeedRow[] {
  if (!Number.isSafeInteger(options.products) || options.products < 0) throw new RangeError(`products must be a non-negative integer, got ${options.products}`);
  if (!Number.isInteger(options.seed)) throw new RangeError(`seed must be an integer, got ${options.seed}`);
  // The stream labels are legacy's, so the product draws are legacy's too.
  const rng = createRng(options.seed, 'products');
  const stockRng = createRng(options.seed, 'catalog.stock');
  const rows: CatalogSeedRow[] = [];
  for (let i = 0; i < options.products; i++) {
    const id = i + 1;
    const adjective = rng.pick(ADJECTIVES);
    const material = rng.pick(MATERIALS);
    const noun = rng.pick(NOUNS);
    const [low, high] = rng.weighted(PRICE_TIERS);
    const currency = rng.weighted(CURRENCY);
    const slot = PRODUCTS_SPAN / options.products;
    const createdAt = PRODUCTS_FROM + Math.floor(i * slot + rng.next() * slot);
    // Most products were edited later (price or copy changes).
    const updatedAt = rng.chance(0.3) ? createdAt : createdAt + rng.int(MINUTE, 300 * DAY);
    const description = `${adjective} ${noun.toLowerCase()} made of ${material.toLowerCase()}. ${rng.pick(FEATURES)}`;
    const priceMinor = rng.int(low, high) * 100 - 1;
    const active = rng.chance(0.9);
    rows.push({
      id,
      legacy_id: id,
      sku: `SKU-${String(id).padStart(6, '0')}`,
      name: `${adjective} ${material} ${noun}`,
      description,
      price_amount_minor: priceMinor,
      price_currency: currency,
      is_active: active,
      // Some products are sold out.
      stock_quantity: stockRng.chance(0.08) ? 0 : stockRng.int(1, 500),
      stock_reserved: 0,
      version: 1,
      created_at: new Date(createdAt),
      updated_at: new Date(updatedAt),
      stock_updated_at: new Date(updatedAt),
    });
  }
  return rows;
}

/** Seeding only ever fills an empty database; the CLI maps this to exit code 2. */
export class SeedRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedRefusedError';
  }
}

export interface SeedCatalogOptions extends CatalogSeedOptions {
  batchSize?: number;
  /** Called after each committed batch. */
  onProgress?: (inserted: number, total: number) => void;
}

/** Migrates, refuses a database that has any product row, then inserts the catalog in batches. */
export async function seedCatalog(db: Knex, options: SeedCatalogOptions): Promise<{ products: number; elapsedMs: number }> {
  const started = performance.now();
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  await migrateToLatest(db);
  const [counted] = (await db('products').count({ n: '*' })) as Array<{ n: number | string }>;
  const existing = Number(counted?.n ?? 0);
  if (existing > 0) {
    throw new SeedRefusedError(
      `Refusing to seed: the database already has data (products: ${existing} rows). ` +
        'Seeding is for an empty, migrated database; point DB_NAME at a fresh database or recreate this one.',
    );
  }
  const rows = generateCatalog(options);
  let inserted = 0;
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    await db.transaction((trx) => trx('products').insert(batch));
    inserted += batch.length;
    options.onProgress?.(inserted, rows.length);
  }
  return { products: inserted, elapsedMs: performance.now() - started };
}
