import { dbConfigKeys, defineConfig, httpConfigKeys, type ConfigValues, type Env } from '@strangler/platform';

const dbKeys = () => dbConfigKeys({ database: 'catalog_svc', user: 'catalog_svc', port: 3307 });

/** Every setting of the catalog service: env var, default, description. Nothing else reads process.env. */
export const catalogConfig = defineConfig({
  ...httpConfigKeys({ port: 3002, service: 'catalog' }),
  ...dbKeys(),
});

export type CatalogConfig = ConfigValues<typeof catalogConfig.spec>;

/** The database keys alone, for tools that only need the connection (migrate, seed). */
export const catalogDbConfig = defineConfig(dbKeys());
export type CatalogDbConfig = ConfigValues<typeof catalogDbConfig.spec>;

export function loadCatalogConfig(env: Env = process.env): CatalogConfig {
  return catalogConfig.load(env);
}

export function loadCatalogDbConfig(env: Env = process.env): CatalogDbConfig {
  return catalogDbConfig.load(env);
}
