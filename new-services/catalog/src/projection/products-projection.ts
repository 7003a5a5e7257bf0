import { isDuplicateKeyError, type Knex } from '@strangler/platform';
import { bumpVersion, type CompleteRow, type ProductRow } from '../features/products/product-row.js';
import {
  assertLegacyId,
  LegacyIdConflictError,
  type LegacyProductChange,
  type LegacyProductsProjection,
  type LegacyStockChange,
  type ProjectionOutcome,
} from './products-projection-type.js';

const MAX_UPSERT_ATTEMPTS = 3;
/** "Duplicate entry '7' for key 'PRIMARY'" (MySQL 8 prefixes the table: 'products.PRIMARY'). */
const ID_KEY = /for key '(?:[^']*\.)?(?:PRIMARY|products_legacy_id_unique)'/;

/** The projection on `db`, which may be the projector's transaction. */
export class KnexProductsProjection implements LegacyProductsProjection {
  constructor(private readonly db: Knex) {}

  async upsertProductFromLegacy(change: LegacyProductChange): Promise<ProjectionOutcome> {
    const id = assertLegacyId(change.legacyId);
    const values = {
      sku: change.sku,
      name: change.name,
      description: change.description,
      price_amount_minor: change.priceMinor,
      price_currency: change.currency,
      is_active: change.active,
      created_at: change.createdAt,
      updated_at: change.updatedAt,
    };
    return this.upsert(id, async (trx, row) => {
      if (!row) {
        await trx('products').insert({ id, legacy_id: id, ...values, version: 1 });
        return 'inserted';
      }
      // A placeholder has no product state yet: anything fills it.
      if (row.sku !== null) {
        if (change.updatedAt.getTime() < row.updated_at.getTime()) return 'stale';
        if (sameProduct(row as CompleteRow, change)) return 'unchanged';
      }
      await trx('products').where({ id }).update({ ...values, version: bumpVersion(trx) });
      return 'updated';
    });
  }

  async upsertStockFromLegacy(change: LegacyStockChange): Promise<ProjectionOutcome> {
    const id = assertLegacyId(change.legacyProductId);
    const values = { stock_quantity: change.quantity, stock_reserved: change.reserved, stock_updated_at: change.updatedAt };
    return this.upsert(id, async (trx, row) => {
      if (!row) {
        // The product event is still to come: keep the stock in a placeholder it will fill in.
        await trx('products').insert({ id, legacy_id: id, ...values, version: 1, created_at: change.updatedAt, updated_at: change.updatedAt });
        return 'inserted';
      }
      if (row.stock_updated_at !== null) {
        if (change.updatedAt.getTime() < row.stock_updated_at.getTime()) return 'stale';
        if (
          row.stock_quantity === change.quantity &&
          row.stock_reserved === change.reserved &&
          row.stock_updated_at.getTime() === change.updatedAt.getTime()
        ) {
          return 'unchanged';
        }
      }
      await trx('products').where({ id }).update({ ...values, version: bumpVersion(trx) });
      return 'updated';
    });
  }

  async deleteByLegacyId(legacyId: number): Promise<boolean> {
    const deleted = await this.db('products').where({ legacy_id: assertLegacyId(legacyId) }).delete();
    return deleted > 0;
  }

  /**
   * Locks the row with this id (if any) and lets `apply` decide, in one transaction. READ COMMITTED: locking a missing
   * id then takes no gap lock (under REPEATABLE READ, concurrent first events for neighbouring ids would deadlock on
   * the shared gap). Two first events for one id racing to insert: the loser gets a duplicate key on the id, runs
   * again and finds the row.
   */
  private async upsert(
    id: number,
    apply: (trx: Knex.Transaction, row: ProductRow | undefined) => Promise<ProjectionOutcome>,
  ): Promise<ProjectionOutcome> {
    const locked = async (trx: Knex.Transaction) => {
      const row = (await trx('products').where({ id }).forUpdate().first()) as ProductRow | undefined;
      if (row && row.legacy_id === null) throw new LegacyIdConflictError(id);
      return apply(trx, row);
    };
    // On the caller's transaction (the CDC projector's batch): no nested transaction and no retry. After a deadlock
    // InnoDB has already rolled the caller's whole transaction back, so a retry here would write outside it; the
    // caller owns the retry (and the undo of this record, by its savepoint).
    if (this.db.isTransaction) return locked(this.db as Knex.Transaction);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(locked, { isolationLevel: 'read committed' });
      } catch (error) {
        if (attempt >= MAX_UPSERT_ATTEMPTS || !this.lostInsertRace(error)) throw error;
      }
    }
  }

  /** A deadlock, or a duplicate key on the id itself (not on the sku: that is a real conflict, retrying cannot help). */
  private lostInsertRace(error: unknown): boolean {
    const { code, sqlMessage } = (error ?? {}) as { code?: unknown; sqlMessage?: unknown };
    if (code === 'ER_LOCK_DEADLOCK') return true;
    return isDuplicateKeyError(error) && typeof sqlMessage === 'string' && ID_KEY.test(sqlMessage);
  }
}

function sameProduct(row: CompleteRow, change: LegacyProductChange): boolean {
  return (
    row.sku === change.sku &&
    row.name === change.name &&
    row.description === change.description &&
    Number(row.price_amount_minor) === change.priceMinor &&
    row.price_currency === change.currency &&
    Boolean(row.is_active) === change.active &&
    row.created_at.getTime() === change.createdAt.getTime() &&
    row.updated_at.getTime() === change.updatedAt.getTime()
  );
}
