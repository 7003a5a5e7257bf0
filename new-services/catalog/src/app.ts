import type { Express } from 'express';
import { createHttpApp, type Logger, type Metrics } from '@strangler/platform';
import type { CatalogServices } from './services.js';
import { createProductsRouter } from './features/products/products-controller.js';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  readiness: () => Promise<void>;
  services: Pick<CatalogServices, 'products'>;
}

/** The catalog service's HTTP surface: legacy's /api/products/**. Never listens (server.ts and supertest build it). */
export function createApp(deps: AppDeps): Express {
  const { services } = deps;
  return createHttpApp({
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: deps.bodyLimit,
    readiness: deps.readiness,
    routes(app) {
      app.use('/api/products', createProductsRouter({ products: services.products }));
    },
  });
}
