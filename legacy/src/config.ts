import { z } from 'zod';
import { dbConfigKeys, defineConfig, envSchemas, httpConfigKeys, type ConfigValues, type Env } from '@strangler/platform';

/** Every setting of the legacy monolith: env var, default, description. Nothing else reads process.env. */
export const legacyConfig = defineConfig({
  ...httpConfigKeys({ port: 3000, service: 'legacy' }),
  ...dbConfigKeys({ database: 'legacy', user: 'legacy', port: 3307 }),
  jwtSecret: {
    env: 'JWT_SECRET',
    description: 'HMAC key that signs login tokens (at least 32 characters); the users service verifies with the same key',
    schema: z.string().min(32, 'must be at least 32 characters'),
    secret: true,
  },
  jwtIssuer: { env: 'JWT_ISSUER', default: 'strangler-legacy', description: 'iss claim of issued tokens', schema: envSchemas.nonEmpty },
  jwtTtlSeconds: { env: 'JWT_TTL_SECONDS', default: '3600', description: 'Lifetime of a login token in seconds', schema: envSchemas.positiveInt },
});

export type LegacyConfig = ConfigValues<typeof legacyConfig.spec>;

/** The database keys alone, for tools that only need the connection (migrate, seed). */
export const legacyDbConfig = defineConfig(dbConfigKeys({ database: 'legacy', user: 'legacy', port: 3307 }));
export type LegacyDbConfig = ConfigValues<typeof legacyDbConfig.spec>;

export function loadLegacyDbConfig(env: Env = process.env): LegacyDbConfig {
  return legacyDbConfig.load(env);
}

export function loadLegacyConfig(env: Env = process.env): LegacyConfig {
  return legacyConfig.load(env);
}
