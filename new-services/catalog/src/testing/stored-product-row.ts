import type { Knex } from '@strangler/platform';
import type { RowState } from '../features/products/fake-products-store.js';

/** A row of catalog_svc.products as the database returns it. */
export interface StoredProductRow {
  id: number;
  legacy_id: number | null;
  sku: string | null;
  name: string | null;
  description: string | null;
  price_amount_minor: number | null;
  price_currency: string | null;
  is_active: number;
  stock_quantity: number;
  stock_reserved: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  stock_updated_at: Date | null;
}

export async function storedProductRow(db: Knex, id: number): Promise<StoredProductRow | undefined> {
  return (await db('products').where({ id }).first()) as StoredProductRow | undefined;
}

/** What FakeProductsStore.inspect reports, read from the database; undefined when there is no row. */
export async function inspectStoredProduct(db: Knex, id: number): Promise<RowState | undefined> {
  const r = await storedProductRow(db, id);
  if (!r) return undefined;
  return {
    legacyId: r.legacy_id,
    placeholder: r.sku === null,
    version: r.version,
    quantity: r.stock_quantity,
    reserved: r.stock_reserved,
    stockUpdatedAt: r.stock_updated_at,
  };
}
