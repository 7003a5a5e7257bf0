import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inheritedEnv, loadStackConfig, REPO_ROOT, restartPolicyOf } from './config.js';

describe('stack config', () => {
  it('has the documented defaults', () => {
    const config = loadStackConfig({});
    expect(config).toMatchObject({
      stackDir: join(REPO_ROOT, '.stack'),
      mariadbPort: 3307,
      legacyPort: 3000,
      postgresPort: 5433,
      unleashPort: 4242,
      unleashLogLevel: 'warn',
      slicesDir: join(REPO_ROOT, 'slices'),
      seedUsers: 1000,
      seedProducts: 200,
      seedOrders: 2000,
      noColor: false,
    });
  });

  it('resolves STACK_DIR to an absolute path and reads the ports', () => {
    const config = loadStackConfig({ STACK_DIR: 'some/dir', MARIADB_PORT: '4407', LEGACY_PORT: '4000' });
    expect(config.stackDir).toBe(join(process.cwd(), 'some/dir'));
    expect(config).toMatchObject({ mariadbPort: 4407, legacyPort: 4000 });
  });

  it("gives each slice the ports its manifest names, overridable by the manifest's settings", () => {
    const ports = (config: ReturnType<typeof loadStackConfig>) => config.slices.map((slice) => [slice.manifest.name, slice.servicePort, slice.projectorPort]);
    expect(ports(loadStackConfig({}))).toEqual([
      ['catalog', 3002, 3102],
      ['users', 3001, 3101],
    ]);
    expect(ports(loadStackConfig({ USERS_PORT: '4001', CATALOG_PROJECTOR_PORT: '4102' }))).toEqual([
      ['catalog', 3002, 4102],
      ['users', 4001, 3101],
    ]);
    expect(() => loadStackConfig({ USERS_PORT: 'x' })).toThrow(/USERS_PORT="x" is invalid/);
    expect(() => loadStackConfig({ SLICES_DIR: '/nonexistent' })).toThrow(/SLICES_DIR=\/nonexistent: cannot read the folder/);
  });

  it('fails fast, naming every bad variable', () => {
    expect(() => loadStackConfig({ LEGACY_PORT: 'abc', STACK_SEED_USERS: '0' })).toThrow(/LEGACY_PORT="abc" is invalid[\s\S]*STACK_SEED_USERS="0" is invalid/);
  });

  it('has a docker/systemd-like restart policy by default, and reads its settings', () => {
    expect(restartPolicyOf(loadStackConfig({}))).toEqual({ burst: 5, windowMs: 60_000, initialDelayMs: 250, maxDelayMs: 10_000, resetAfterMs: 10_000 });
    const tuned = loadStackConfig({ STACK_RESTART_LIMIT_BURST: '0', STACK_RESTART_LIMIT_WINDOW_MS: '5000', STACK_RESTART_DELAY_MS: '2000', STACK_RESTART_MAX_DELAY_MS: '100' });
    // A cap below the first delay would shrink the back-off: the first delay wins.
    expect(restartPolicyOf(tuned)).toMatchObject({ burst: 0, windowMs: 5_000, initialDelayMs: 2_000, maxDelayMs: 2_000 });
    expect(() => loadStackConfig({ STACK_RESTART_LIMIT_BURST: '-1', STACK_RESTART_LIMIT_WINDOW_MS: '0' })).toThrow(/STACK_RESTART_LIMIT_BURST="-1" is invalid[\s\S]*STACK_RESTART_LIMIT_WINDOW_MS="0" is invalid/);
  });

  it('passes children only the basic inherited variables', () => {
    expect(inheritedEnv({ PATH: '/bin', HOME: '/root', DB_PASSWORD: 'leak', PORT: '1' })).toEqual({ PATH: '/bin', HOME: '/root' });
  });
});
