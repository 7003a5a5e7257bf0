/**
 * The write side a CDC projector uses to keep this service's products and stock in step with the monolith's
 * `products` and `inventory` tables. It is the only part of the service other packages may import
 * (dependency-cruiser enforces it): the projector passes its own transaction, so the change and the Kafka position
 * it came from commit together.
 */
import type { Knex } from '@strangler/platform';
import { KnexProductsProjection } from './products-projection.js';
import type { LegacyProductsProjection } from './products-projection-type.js';

export {
  LegacyIdConflictError,
  type LegacyProductChange,
  type LegacyProductsProjection,
  type LegacyStockChange,
  type ProjectionOutcome,
} from './products-projection-type.js';

/** The projection on `db`, which may be a transaction. */
export function legacyProductsProjection(db: Knex): LegacyProductsProjection {
  return new KnexProductsProjection(db);
}
