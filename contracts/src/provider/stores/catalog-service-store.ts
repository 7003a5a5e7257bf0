import type { Knex } from '@strangler/platform';
import type { CatalogStateStore, ProductSeed } from '../states/catalog-states.js';

/**
 * The catalog states on the catalog service's single `products` table (stock lives in the product row). A seeded
 * product looks projected from the monolith (legacy_id = id), as every pre-existing product will.
 */
export function catalogServiceStore(db: Knex): CatalogStateStore {
  return {
    async putProduct(product: ProductSeed) {
      await db.transaction(async (trx) => {
        await trx('products').where('id', product.id).orWhere('legacy_id', product.id).orWhere('sku', product.sku).delete();
        const now = new Date();
        await trx('products').insert({
          id: product.id,
          legacy_id: product.id,
          sku: product.sku,
          name: product.name,
          description: product.description,
          price_amount_minor: product.price.amountMinor,
          price_currency: product.price.currency,
          is_active: product.active,
          stock_quantity: product.stock.quantity,
          stock_reserved: product.stock.reserved,
          version: 1,
          created_at: now,
          updated_at: now,
          stock_updated_at: now,
        });
      });
    },
    async removeProduct(id) {
      await db('products').where('id', id).delete();
    },
    async removeProductBySku(sku) {
      await db('products').where('sku', sku).delete();
    },
    async removeAllProducts() {
      await db('products').delete();
    },
  };
}
