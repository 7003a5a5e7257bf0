import { describe, expect, it } from 'vitest';
import { configError } from '@strangler/testkit/config-error';
import { loadUsersConfig, loadUsersDbConfig, usersConfig } from './config.js';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';

describe('users service config', () => {
  it('defaults to port 3001, its own users_svc database and account on the stack MariaDB, and the monolith\'s issuer', () => {
    expect(loadUsersConfig({ JWT_SECRET: SECRET })).toEqual({
      host: '127.0.0.1',
      port: 3001,
      serviceName: 'users',
      logLevel: 'info',
      bodyLimit: '100kb',
      shutdownTimeoutMs: 10_000,
      dbHost: '127.0.0.1',
      dbPort: 3307,
      dbUser: 'users_svc',
      dbPassword: '',
      dbName: 'users_svc',
      dbPoolMax: 10,
      jwtSecret: SECRET,
      jwtIssuer: 'strangler-legacy',
    });
  });

  it('reads every key from its environment variable', () => {
    const config = loadUsersConfig({ JWT_SECRET: SECRET, JWT_ISSUER: 'other', PORT: '4001', DB_NAME: 'x', DB_PORT: '3306' });
    expect(config).toMatchObject({ jwtIssuer: 'other', port: 4001, dbName: 'x', dbPort: 3306 });
  });

  it('fails fast listing every problem, without echoing the secret', () => {
    const error = configError(() => loadUsersConfig({ JWT_SECRET: 'too-short-secret', PORT: 'http', JWT_ISSUER: '' }));
    expect(error.problems).toHaveLength(3);
    expect(error.message).toContain('JWT_SECRET=<secret> is invalid');
    expect(error.message).not.toContain('too-short-secret');
    expect(error.message).toContain('PORT="http" is invalid');
    expect(error.message).toContain('JWT_ISSUER="" is invalid');
  });

  it('requires JWT_SECRET (no default: a guessable key would accept forged tokens)', () => {
    expect(configError(() => loadUsersConfig({})).problems).toEqual([expect.stringMatching(/^JWT_SECRET is required/)]);
  });

  it('lets the CLIs load only the database keys', () => {
    expect(loadUsersDbConfig({})).toMatchObject({ dbName: 'users_svc', dbUser: 'users_svc', dbPort: 3307 });
  });

  it('describes every key for docs', () => {
    expect(usersConfig.describe().map((row) => row.env)).toEqual(expect.arrayContaining(['PORT', 'DB_NAME', 'JWT_SECRET', 'JWT_ISSUER']));
  });
});
