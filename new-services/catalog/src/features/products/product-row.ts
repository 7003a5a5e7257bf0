import type { Knex } from '@strangler/platform';

/**
 * A row of catalog_svc.products (a product and its stock), which the products store and the CDC projection
 * (src/projection) both write. Product columns are NULL only in a stock-only placeholder.
 */
export interface ProductRow {
  id: number;
  legacy_id: number | null;
  sku: string | null;
  name: string | null;
  description: string | null;
  price_amount_minor: number | string | null;
  price_currency: string | null;
  is_active: number | boolean;
  stock_quantity: number;
  stock_reserved: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  stock_updated_at: Date | null;
}

export type CompleteRow = ProductRow & { sku: string; name: string; description: string; price_amount_minor: number | string; price_currency: string };

/** Every write bumps the row's version. */
export const bumpVersion = (db: Knex | Knex.Transaction): Knex.Raw => db.raw('version + 1');
