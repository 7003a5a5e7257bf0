import type { Knex } from '@strangler/platform';
import { storedProduct, type CatalogStorage } from './catalog-storage.js';
import { countRows } from './count-rows.js';

/** The monolith's `products`, with the stock in its `inventory` row (a product imported without one has none). */
export function legacyCatalogStorage(db: Knex): CatalogStorage {
  return {
    async product(id) {
      const row = (await db('products').where({ id }).first()) as Record<string, unknown> | undefined;
      return row && storedProduct(row, { priceMinor: 'price_minor', currency: 'currency', active: 'active' });
    },
    stock: (id) => db('inventory').select('quantity', 'reserved').where({ product_id: id }).first(),
    counts: async () => ({ products: await countRows(db('products')), stock: await countRows(db('inventory')) }),
    async backdate(id, at) {
      await db('products').where({ id }).update({ created_at: at, updated_at: at });
    },
  };
}
