/** A row of legacy's `products` table, as a change event carries it. */
export interface LegacyProductChange {
  legacyId: number;
  sku: string;
  name: string;
  description: string;
  priceMinor: number;
  currency: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A row of legacy's `inventory` table, as a change event carries it. */
export interface LegacyStockChange {
  legacyProductId: number;
  quantity: number;
  reserved: number;
  updatedAt: Date;
}

/**
 * What an upsert did: `unchanged` = the row already holds exactly this (a replay); `stale` = the row holds a newer
 * state (the event's updatedAt is older), so nothing was written. Only `inserted` and `updated` bump the version.
 */
export type ProjectionOutcome = 'inserted' | 'updated' | 'unchanged' | 'stale';

/**
 * The write side a CDC projector (legacy → catalog_svc) uses. Idempotent: applying an event twice leaves the row,
 * its version included, as applying it once.
 *
 * - A projected row keeps legacy's id as its public id (`id` = `legacy_id`).
 * - Legacy's products and inventory rows arrive as separate events, in either order. Stock for a product not
 *   projected yet is kept in a stock-only placeholder row (legacy_id set, product columns NULL), invisible to the
 *   public API; the product event then fills that row in. A product projected before its stock reports quantity 0,
 *   reserved 0 (stock_updated_at NULL), as legacy does for a product without an inventory row.
 * - Product and stock parts are ordered independently by legacy's `updated_at`: an event older than what the row
 *   holds is `stale` and ignored (redelivery after a restart never rolls a row back). Equal timestamps apply.
 * - `deleteByLegacyId` removes the row (placeholder or product). A stock event arriving after the delete leaves an
 *   invisible placeholder behind (legacy drops the inventory row by ON DELETE CASCADE, which the row-based binlog
 *   does not carry as an event of its own); it is harmless, and legacy never reuses an id.
 */
export interface LegacyProductsProjection {
  upsertProductFromLegacy(change: LegacyProductChange): Promise<ProjectionOutcome>;
  upsertStockFromLegacy(change: LegacyStockChange): Promise<ProjectionOutcome>;
  /** False when no row has this legacy id (already deleted: a replay). */
  deleteByLegacyId(legacyId: number): Promise<boolean>;
}

/**
 * A legacy id is taken by a row created through this service's own API. Cannot happen while writes stay routed to
 * the monolith; if it does, the projector must stop rather than overwrite a different product.
 */
export class LegacyIdConflictError extends Error {
  readonly code = 'LEGACY_ID_CONFLICT';
  constructor(readonly legacyId: number) {
    super(`Product id ${legacyId} is taken by a product that was not projected from legacy`);
    this.name = 'LegacyIdConflictError';
  }
}

/** Legacy ids are INT UNSIGNED AUTO_INCREMENT values: a bad one is a projector bug, not data to store. */
export function assertLegacyId(legacyId: number): number {
  if (!Number.isSafeInteger(legacyId) || legacyId < 1 || legacyId > 4_294_967_295) {
    throw new RangeError(`legacy id must be a positive integer within INT UNSIGNED, got ${legacyId}`);
  }
  return legacyId;
}
