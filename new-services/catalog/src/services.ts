import type { Knex } from '@strangler/platform';
import { createProductsService } from './features/products/create-products-service.js';
import type { ProductsService } from './features/products/products-service.js';
import { legacyProductsProjection, type LegacyProductsProjection } from './projection/index.js';

export interface CatalogServices {
  products: ProductsService;
  /** Not served over HTTP: the CDC projector's entry point. */
  legacyProjection: LegacyProductsProjection;
}

/** Hand wiring of the catalog on its own database. */
export function createServices(db: Knex): CatalogServices {
  return { products: createProductsService(db), legacyProjection: legacyProductsProjection(db) };
}
