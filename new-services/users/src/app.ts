import type { Express } from 'express';
import { createHttpApp, type Logger, type Metrics } from '@strangler/platform';
import type { UsersServices } from './services.js';
import { createUsersRouter } from './features/users/users-controller.js';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  bodyLimit: string;
  readiness: () => Promise<void>;
  services: UsersServices;
}

/**
 * The users service's HTTP surface: the monolith's /api/users routes, nothing else (login and /api/users/:id/orders
 * stay in the monolith). Never listens: server.ts and supertest build it the same way.
 */
export function createApp(deps: AppDeps): Express {
  const { services } = deps;
  return createHttpApp({
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: deps.bodyLimit,
    readiness: deps.readiness,
    routes(app) {
      app.use('/api/users', createUsersRouter({ users: services.users, tokens: services.tokens }));
    },
  });
}
