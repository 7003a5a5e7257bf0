import type { Knex } from '@strangler/platform';
import { createTokenService, type TokenService } from './features/auth/tokens.js';
import { createAuthService } from './features/auth/create-auth-service.js';
import type { AuthService } from './features/auth/auth-service.js';
import { createUsersService } from './features/users/create-users-service.js';
import type { UsersService } from './features/users/users-service.js';
import { createProductsService } from './features/products/create-products-service.js';
import type { ProductsService } from './features/products/products-service.js';
import { createOrdersService } from './features/orders/create-orders-service.js';
import type { OrdersService } from './features/orders/orders-service.js';

export interface LegacyServices {
  tokens: TokenService;
  auth: AuthService;
  users: UsersService;
  products: ProductsService;
  orders: OrdersService;
}

export interface ServicesConfig {
  jwtSecret: string;
  jwtIssuer: string;
  jwtTtlSeconds: number;
}

/** Hand wiring of every feature on one shared database, as the monolith has it. */
export function createServices(db: Knex, config: ServicesConfig): LegacyServices {
  const tokens = createTokenService({ secret: config.jwtSecret, issuer: config.jwtIssuer, ttlSeconds: config.jwtTtlSeconds });
  return {
    tokens,
    auth: createAuthService(db, tokens),
    users: createUsersService(db),
    products: createProductsService(db),
    orders: createOrdersService(db),
  };
}
