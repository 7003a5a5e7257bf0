import { describe, expect, it } from 'vitest';
import { ConfigError } from '@strangler/platform';
import { catalogConfig, loadCatalogConfig, loadCatalogDbConfig } from './config.js';

describe('catalog config', () => {
  it('defaults to port 3002 and its own database and least-privilege user on the stack MariaDB', () => {
    const config = loadCatalogConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 3002,
      serviceName: 'catalog',
      dbHost: '127.0.0.1',
      dbPort: 3307,
      dbName: 'catalog_svc',
      dbUser: 'catalog_svc',
      dbPassword: '',
    });
  });

  it('the CLI config has only the database keys', () => {
    const config = loadCatalogDbConfig({ DB_NAME: 'other', DB_PORT: '3310' });
    expect(Object.keys(config).sort()).toEqual(['dbHost', 'dbName', 'dbPassword', 'dbPoolMax', 'dbPort', 'dbUser']);
    expect(config).toMatchObject({ dbName: 'other', dbPort: 3310, dbUser: 'catalog_svc' });
  });

  it('fails fast, listing every problem', () => {
    let error: unknown;
    try {
      loadCatalogConfig({ PORT: 'eighty', DB_PORT: '-1', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(3);
    expect((error as ConfigError).message).toMatch(/PORT="eighty" is invalid/);
  });

  it('describes every key', () => {
    const rows = catalogConfig.describe();
    expect(rows.map((row) => row.env)).toEqual(expect.arrayContaining(['PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'SHUTDOWN_TIMEOUT_MS']));
    expect(rows.every((row) => row.description.length > 0)).toBe(true);
  });
});
