import type { Knex } from '@strangler/platform';
import { legacyProductsProjection, LegacyIdConflictError, type LegacyProductsProjection } from '@strangler/catalog-service/projection';
import { columns, readRow } from '../debezium/columns.js';
import type { ChangeEvent } from '../debezium/envelope.js';
import { PoisonRecordError } from '../errors.js';
import { knexDeletedKeys, type DeletedKeys } from './deleted-keys.js';
import type { ApplyOutcome, Projector } from './projector.js';

/** The columns of legacy's `products` the catalog needs; any other column is ignored. */
const productRow = {
  id: columns.id,
  sku: columns.string,
  name: columns.string,
  description: columns.string,
  price_minor: columns.amount,
  currency: columns.string,
  active: columns.flag,
  created_at: columns.datetime,
  updated_at: columns.datetime,
};

const inventoryRow = {
  product_id: columns.id,
  quantity: columns.count,
  reserved: columns.count,
  updated_at: columns.datetime,
};

/**
 * legacy.products + legacy.inventory → catalog_svc.products (one row holds a product and its stock; ids are kept).
 *
 * Deleting a product deletes its row, stock included. Legacy's inventory rows normally go with their product by
 * ON DELETE CASCADE, which the row-based binlog does not carry, so an inventory delete is an explicit
 * `DELETE FROM inventory` while the product stays: legacy then reports stock 0/0, and so is it projected (the store
 * has no "remove stock"). Its timestamp is the later of the deleted row's updated_at and the binlog time, so it is
 * never older (stale) than the stock it clears; a later re-insert of the row (updated_at at or after the delete)
 * wins over it. (For a product that is gone too, see below.)
 *
 * Products and inventory arrive on two topics whose relative order Kafka does not keep (and Debezium redelivers
 * after a restart), so a stock change can come after its product's delete; applied, it would leave a stock-only
 * placeholder row behind for good. Deleted product ids are remembered (DeletedKeys) and later changes for them are
 * `stale`: legacy never reuses an id.
 */
export function createCatalogProjector(
  projection: (db: Knex) => LegacyProductsProjection = legacyProductsProjection,
  deletedKeys: (db: Knex) => DeletedKeys = knexDeletedKeys,
): Projector {
  async function apply(db: Knex, change: ChangeEvent): Promise<ApplyOutcome> {
    const target = projection(db);
    const deleted = deletedKeys(db);
    if (change.table === 'products') {
      if (change.op === 'd') {
        const { id } = readRow(change, 'before', { id: columns.id });
        await deleted.markDeleted('products', id, new Date(change.sourceTsMs));
        return (await target.deleteByLegacyId(id)) ? 'deleted' : 'absent';
      }
      const row = readRow(change, 'after', productRow);
      if (await deleted.isDeleted('products', row.id)) return 'stale';
      return target.upsertProductFromLegacy({
        legacyId: row.id,
        sku: row.sku,
        name: row.name,
        description: row.description,
        priceMinor: row.price_minor,
        currency: row.currency,
        active: row.active,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
      });
    }
    if (change.table === 'inventory') {
      if (change.op === 'd') {
        const { product_id, updated_at } = readRow(change, 'before', { product_id: columns.id, updated_at: columns.datetime.optional() });
        if (await deleted.isDeleted('products', product_id)) return 'stale';
        const clearedAt = new Date(Math.max(updated_at?.getTime() ?? 0, change.sourceTsMs));
        return target.upsertStockFromLegacy({ legacyProductId: product_id, quantity: 0, reserved: 0, updatedAt: clearedAt });
      }
      const row = readRow(change, 'after', inventoryRow);
      if (await deleted.isDeleted('products', row.product_id)) return 'stale';
      return target.upsertStockFromLegacy({ legacyProductId: row.product_id, quantity: row.quantity, reserved: row.reserved, updatedAt: row.updated_at });
    }
    throw new PoisonRecordError('UNEXPECTED_TABLE', `the catalog projector does not consume table "${change.table}"`);
  }

  return {
    name: 'catalog',
    // The tables this mapping reads; the catalog slice manifest must list the same (registry.test.ts).
    tables: ['products', 'inventory'],
    async apply(db, change) {
      try {
        return await apply(db, change);
      } catch (error) {
        if (error instanceof LegacyIdConflictError) throw new PoisonRecordError('LEGACY_ID_CONFLICT', error.message, { cause: error });
        throw error;
      }
    },
  };
}
