import { createTokenVerifier, type Knex, type TokenVerifier } from '@strangler/platform';
import { createUsersService } from './features/users/create-users-service.js';
import type { UsersService } from './features/users/users-service.js';

export interface UsersServices {
  /** Verifies the monolith's login tokens (login itself stays in the monolith for now). */
  tokens: TokenVerifier;
  users: UsersService;
}

export interface ServicesConfig {
  jwtSecret: string;
  jwtIssuer: string;
}

/** Hand wiring on the service's own database. */
export function createServices(db: Knex, config: ServicesConfig): UsersServices {
  return {
    tokens: createTokenVerifier({ secret: config.jwtSecret, issuer: config.jwtIssuer }),
    users: createUsersService(db),
  };
}
