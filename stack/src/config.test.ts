import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inheritedEnv, loadStackConfig, REPO_ROOT } from './config.js';

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
      routesFile: join(REPO_ROOT, 'edge', 'routes.json'),
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

  it('fails fast, naming every bad variable', () => {
    expect(() => loadStackConfig({ LEGACY_PORT: 'abc', STACK_SEED_USERS: '0' })).toThrow(/LEGACY_PORT="abc" is invalid[\s\S]*STACK_SEED_USERS="0" is invalid/);
  });

  it('passes children only the basic inherited variables', () => {
    expect(inheritedEnv({ PATH: '/bin', HOME: '/root', DB_PASSWORD: 'leak', PORT: '1' })).toEqual({ PATH: '/bin', HOME: '/root' });
  });
});
