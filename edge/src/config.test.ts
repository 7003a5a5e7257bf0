import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@strangler/platform';
import { edgeConfig, loadEdgeConfig, targetOverrides } from './config.js';

const secret = { JWT_SECRET: 'x'.repeat(32) };

describe('edge config', () => {
  it('has the documented defaults', () => {
    const config = loadEdgeConfig(secret);
    expect(config).toMatchObject({
      port: 8000,
      adminPort: 8001,
      unleashUrl: 'http://127.0.0.1:4242/api',
      backendHeader: true,
      accessLog: true,
      maxHeaderBytes: 16384,
      trustedProxyHops: 0,
      legacyUrl: undefined,
      upstreamOverrides: [],
    });
    expect(config.slicesDir).toMatch(/\/slices$/);
    expect(config.slices.map((slice) => slice.name)).toEqual(['catalog', 'users']);
    expect(config.flagSnapshotDir).toMatch(/\.stack\/edge-flags$/);
  });

  it('describes every key with its env var and a description', () => {
    for (const row of edgeConfig.describe()) {
      expect(row.env).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(row.description.length).toBeGreaterThan(10);
    }
  });

  it('collects target overrides in order: LEGACY_URL, each slice\'s <SLICE>_URL (CATALOG_URL, USERS_URL), then UPSTREAM_URLS', () => {
    const config = loadEdgeConfig({
      ...secret,
      LEGACY_URL: 'http://10.0.0.1:3000',
      USERS_URL: 'http://10.0.0.2:3001',
      CATALOG_URL: 'http://10.0.0.3:3002',
      UPSTREAM_URLS: 'orders=http://10.0.0.4:3003, users.legacy=http://10.0.0.5:3000',
    });
    expect(targetOverrides(config)).toEqual([
      { key: 'legacy', url: 'http://10.0.0.1:3000' },
      { key: 'catalog.service', url: 'http://10.0.0.3:3002' },
      { key: 'users.service', url: 'http://10.0.0.2:3001' },
      { key: 'orders', url: 'http://10.0.0.4:3003' },
      { key: 'users.legacy', url: 'http://10.0.0.5:3000' },
    ]);
  });

  it('lists every problem at once and never echoes secrets', () => {
    let error: unknown;
    try {
      loadEdgeConfig({ JWT_SECRET: 'short-secret', UPSTREAM_URLS: 'users=ftp://x', UNLEASH_TIMEOUT_MS: '500', BACKEND_HEADER: 'yes' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).message;
    expect((error as ConfigError).problems).toHaveLength(4);
    expect(text).toContain('UPSTREAM_URLS');
    expect(text).toContain('UNLEASH_TIMEOUT_MS');
    expect(text).toContain('BACKEND_HEADER');
    expect(text).not.toContain('short-secret');
  });

  it('runs one proxy worker per CPU by default, or the count given; refuses anything else', () => {
    expect(loadEdgeConfig(secret).workers).toBe(availableParallelism());
    expect(loadEdgeConfig({ ...secret, EDGE_WORKERS: '3' }).workers).toBe(3);
    expect(loadEdgeConfig({ ...secret, EDGE_WORKERS: ' auto ' }).workers).toBe(availableParallelism());
    for (const bad of ['0', '65', 'two', '1.5', '-1']) {
      expect(() => loadEdgeConfig({ ...secret, EDGE_WORKERS: bad }), bad).toThrow(/EDGE_WORKERS/);
    }
  });

  it('refuses a head timeout longer than the request timeout', () => {
    expect(() => loadEdgeConfig({ ...secret, HEADERS_TIMEOUT_MS: '5000', REQUEST_TIMEOUT_MS: '1000' })).toThrow(/HEADERS_TIMEOUT_MS=5000 must not exceed/);
  });

  it('hedges by default, and refuses a hedge floor above its ceiling or a quantile out of range', () => {
    expect(loadEdgeConfig(secret)).toMatchObject({ hedgeEnabled: true, hedgeQuantile: 0.95, hedgeFactor: 2, hedgeMinMs: 50, hedgeMaxMs: 1000, hedgeWindow: 256 });
    expect(() => loadEdgeConfig({ ...secret, HEDGE_MIN_MS: '500', HEDGE_MAX_MS: '100' })).toThrow(/HEDGE_MIN_MS=500 must not exceed HEDGE_MAX_MS=100/);
    expect(() => loadEdgeConfig({ ...secret, HEDGE_QUANTILE: '1.5' })).toThrow(/HEDGE_QUANTILE/);
  });
});
