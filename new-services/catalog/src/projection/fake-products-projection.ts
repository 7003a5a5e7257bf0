import { FakeProductsStore, isComplete, type CompleteRow, type ProductFields, type Row } from '../features/products/fake-products-store.js';
import {
  assertLegacyId,
  LegacyIdConflictError,
  type LegacyProductChange,
  type LegacyProductsProjection,
  type LegacyStockChange,
  type ProjectionOutcome,
} from './products-projection-type.js';

/**
 * The in-memory products with the projection's writes on top, for unit tests: the store and the projection share one
 * table in the database too, so what is projected here (placeholders included) is what the store then serves.
 */
export class FakeProductsProjection extends FakeProductsStore implements LegacyProductsProjection {
  async upsertProductFromLegacy(change: LegacyProductChange): Promise<ProjectionOutcome> {
    const id = assertLegacyId(change.legacyId);
    const row = this.projected(id);
    const fields: ProductFields = {
      sku: change.sku,
      name: change.name,
      description: change.description,
      price: { amountMinor: change.priceMinor, currency: change.currency },
      active: change.active,
    };
    if (row && isComplete(row)) {
      if (change.updatedAt.getTime() < row.updatedAt.getTime()) return 'stale';
      if (sameProduct(row, fields, change)) return 'unchanged';
    }
    this.ensureSkuFree(change.sku, id);
    if (!row) {
      this.rows.set(id, { id, legacyId: id, product: fields, createdAt: change.createdAt, updatedAt: change.updatedAt, quantity: 0, reserved: 0, stockUpdatedAt: null, version: 1 });
      this.nextId = Math.max(this.nextId, id + 1);
      return 'inserted';
    }
    Object.assign(row, { product: fields, createdAt: change.createdAt, updatedAt: change.updatedAt, version: row.version + 1 });
    return 'updated';
  }

  async upsertStockFromLegacy(change: LegacyStockChange): Promise<ProjectionOutcome> {
    const id = assertLegacyId(change.legacyProductId);
    const row = this.projected(id);
    const stock = { quantity: change.quantity, reserved: change.reserved, stockUpdatedAt: change.updatedAt };
    if (!row) {
      this.rows.set(id, { id, legacyId: id, product: null, createdAt: change.updatedAt, updatedAt: change.updatedAt, ...stock, version: 1 });
      this.nextId = Math.max(this.nextId, id + 1);
      return 'inserted';
    }
    if (row.stockUpdatedAt !== null) {
      if (change.updatedAt.getTime() < row.stockUpdatedAt.getTime()) return 'stale';
      if (row.quantity === change.quantity && row.reserved === change.reserved && row.stockUpdatedAt.getTime() === change.updatedAt.getTime()) {
        return 'unchanged';
      }
    }
    Object.assign(row, { ...stock, version: row.version + 1 });
    return 'updated';
  }

  async deleteByLegacyId(legacyId: number): Promise<boolean> {
    const row = this.rows.get(assertLegacyId(legacyId));
    if (row?.legacyId !== legacyId) return false;
    this.rows.delete(row.id);
    return true;
  }

  /** The row a legacy id maps to; a row of this service's own with that id is a conflict. */
  private projected(id: number): Row | undefined {
    const row = this.rows.get(id);
    if (row && row.legacyId === null) throw new LegacyIdConflictError(id);
    return row;
  }
}

function sameProduct(row: CompleteRow, fields: ProductFields, change: LegacyProductChange): boolean {
  const p = row.product;
  return (
    p.sku === fields.sku &&
    p.name === fields.name &&
    p.description === fields.description &&
    p.price.amountMinor === fields.price.amountMinor &&
    p.price.currency === fields.price.currency &&
    p.active === fields.active &&
    row.createdAt.getTime() === change.createdAt.getTime() &&
    row.updatedAt.getTime() === change.updatedAt.getTime()
  );
}
