import type { Knex } from '@strangler/platform';
import type { CatalogStateStore, ProductSeed } from '../states/catalog-states.js';

/**
 * The catalog states on the monolith's tables: `products` and its `inventory` row (which cascades with it), plus the
 * order items that reference a product (which must go first, or the foreign key keeps the product).
 */
export function legacyCatalogStore(db: Knex): CatalogStateStore {
  /** Removes the products `where` selects; every product without it. */
  async function removeWhere(trx: Knex.Transaction, where?: (q: Knex.QueryBuilder) => void): Promise<void> {
    const query = trx('products').select('id');
    if (where) query.where(where);
    const ids = ((await query) as Array<{ id: number }>).map((r) => r.id);
    if (ids.length === 0) return;
    await trx('order_items').whereIn('product_id', ids).delete();
    await trx('products').whereIn('id', ids).delete();
  }

  return {
    async putProduct(product: ProductSeed) {
      await db.transaction(async (trx) => {
        await removeWhere(trx, (q) => q.where('id', product.id).orWhere('sku', product.sku));
        await trx('products').insert({
          id: product.id,
          sku: product.sku,
          name: product.name,
          description: product.description,
          price_minor: product.price.amountMinor,
          currency: product.price.currency,
          active: product.active,
        });
        await trx('inventory').insert({ product_id: product.id, quantity: product.stock.quantity, reserved: product.stock.reserved });
      });
    },
    removeProduct: (id) => db.transaction((trx) => removeWhere(trx, (q) => q.where('id', id))),
    removeProductBySku: (sku) => db.transaction((trx) => removeWhere(trx, (q) => q.where('sku', sku))),
    removeAllProducts: () => db.transaction((trx) => removeWhere(trx)),
  };
}
