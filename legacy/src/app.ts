import type { Express } from 'express';
import { createHttpApp, type Logger, type Metrics } from '@strangler/platform';
import type { LegacyServices } from './services.js';
import { createAuthRouter } from './features/auth/auth-controller.js';
import { createUsersRouter } from './features/users/users-controller.js';
import { createProductsRouter } from './features/products/products-controller.js';
import { createOrdersRouter, createUserOrdersRouter } from './features/orders/orders-controller.js';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  readiness: () => Promise<void>;
  services: LegacyServices;
}

/** The monolith's HTTP surface. Never listens: server.ts, supertest and Pact verification all build it the same way. */
export function createApp(deps: AppDeps): Express {
  const { services } = deps;
  return createHttpApp({
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: deps.bodyLimit,
    readiness: deps.readiness,
    routes(app) {
      app.use('/api/auth', createAuthRouter({ auth: services.auth }));
      // /api/users/:id/orders belongs to the orders module (it JOINs users, orders, items and products).
      app.use('/api/users', createUserOrdersRouter({ orders: services.orders, tokens: services.tokens }));
      app.use('/api/users', createUsersRouter({ users: services.users, tokens: services.tokens }));
      app.use('/api/products', createProductsRouter({ products: services.products }));
      app.use('/api/orders', createOrdersRouter({ orders: services.orders, tokens: services.tokens }));
    },
  });
}
