import type { Knex } from '@strangler/platform';
import { storedProduct, type CatalogStorage } from './catalog-storage.js';
import { countRows } from './count-rows.js';

/**
 * The catalog service's one `products` table, stock in the row. A row whose stock was never set (stock_updated_at
 * null: a projected product whose stock has not arrived) has no stock record, as legacy's product without inventory.
 */
export function catalogServiceStorage(db: Knex): CatalogStorage {
  const withStock = () => db('products').whereNotNull('stock_updated_at');
  return {
    async product(id) {
      const row = (await db('products').where({ id }).first()) as Record<string, unknown> | undefined;
      return row && storedProduct(row, { priceMinor: 'price_amount_minor', currency: 'price_currency', active: 'is_active' });
    },
    stock: (id) => withStock().select({ quantity: 'stock_quantity', reserved: 'stock_reserved' }).where({ id }).first(),
    counts: async () => ({ products: await countRows(db('products')), stock: await countRows(withStock()) }),
    async backdate(id, at) {
      await db('products').where({ id }).update({ created_at: at, updated_at: at });
    },
  };
}
