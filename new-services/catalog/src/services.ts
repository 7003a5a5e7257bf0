import type { Knex } from '@strangler/platform';
import { createLegacyProductsProjection, createProductsService } from './features/products/create-products-service.js';
import type { ProductsService } from './features/products/products-service.js';
import type { LegacyProductsProjection } from './features/products/products-store-type.js';

export interface CatalogServices {
  products: ProductsService;
  /** Not served over HTTP: the CDC projector's entry point. */
  legacyProjection: LegacyProductsProjection;
}

/** Hand wiring of the catalog on its own database. */
export function createServices(db: Knex): CatalogServices {
  return { products: createProductsService(db), legacyProjection: createLegacyProductsProjection(db) };
}
