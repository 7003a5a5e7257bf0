import { z } from 'zod';
import { dbConfigKeys, defineConfig, envSchemas, httpConfigKeys, type ConfigValues, type Env } from '@strangler/platform';

const dbKeys = () => dbConfigKeys({ database: 'users_svc', user: 'users_svc', port: 3307 });

/** Every setting of the users service: env var, default, description. Nothing else reads process.env. */
export const usersConfig = defineConfig({
  ...httpConfigKeys({ port: 3001, service: 'users' }),
  ...dbKeys(),
  jwtSecret: {
    env: 'JWT_SECRET',
    description: 'HMAC key that verifies bearer tokens (at least 32 characters); the same key the monolith signs login tokens with',
    schema: z.string().min(32, 'must be at least 32 characters'),
    secret: true,
  },
  jwtIssuer: {
    env: 'JWT_ISSUER',
    default: 'strangler-legacy',
    description: 'Required iss claim of bearer tokens; the issuer the monolith signs with',
    schema: envSchemas.nonEmpty,
  },
});

export type UsersConfig = ConfigValues<typeof usersConfig.spec>;

/** The database keys alone, for tools that only need the connection (migrate, seed). */
export const usersDbConfig = defineConfig(dbKeys());
export type UsersDbConfig = ConfigValues<typeof usersDbConfig.spec>;

export function loadUsersConfig(env: Env = process.env): UsersConfig {
  return usersConfig.load(env);
}

export function loadUsersDbConfig(env: Env = process.env): UsersDbConfig {
  return usersDbConfig.load(env);
}
