import { describeCatalogApiConformance } from './catalog-api.conformance.js';
import { buildCatalogApi, implementationsOf } from './implementations.js';

// One suite, every implementation of the catalog slice: legacy (the reference) and the catalog service.
for (const implementation of implementationsOf('catalog-api')) describeCatalogApiConformance(implementation, () => buildCatalogApi(implementation));
