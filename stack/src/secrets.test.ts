import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateSecrets } from './secrets.js';

describe('loadOrCreateSecrets', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stack-secrets-'));
  const file = join(dir, 'nested', 'secrets.json');
  afterEach(() => rmSync(join(dir, 'nested'), { recursive: true, force: true }));

  it('generates each secret on the first start and reuses it on every later one', () => {
    const first = loadOrCreateSecrets(file, ['jwtSecret', 'mariadb.legacy.password']);
    expect(first.jwtSecret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first['mariadb.legacy.password']).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(first.jwtSecret).not.toBe(first['mariadb.legacy.password']);

    const again = loadOrCreateSecrets(file, ['jwtSecret', 'mariadb.legacy.password']);
    expect(again).toEqual(first);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(first);
  });

  it('keeps the file private to its owner', () => {
    loadOrCreateSecrets(file, ['jwtSecret']);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('adds a newly declared secret without touching the existing ones', () => {
    const before = loadOrCreateSecrets(file, ['jwtSecret']);
    const after = loadOrCreateSecrets(file, ['jwtSecret', 'mariadb.cdc.password']);
    expect(after.jwtSecret).toBe(before.jwtSecret);
    expect(after['mariadb.cdc.password']).toBeDefined();
  });

  it('generates a declared secret with its own generator (a token format), once', () => {
    let calls = 0;
    const token = { key: 'unleash.adminToken', generate: () => `*:*.${(calls += 1)}` };
    expect(loadOrCreateSecrets(file, ['jwtSecret', token])['unleash.adminToken']).toBe('*:*.1');
    expect(loadOrCreateSecrets(file, ['jwtSecret', token])['unleash.adminToken']).toBe('*:*.1');
    expect(calls).toBe(1);
  });

  it('fails with a clear message on a damaged file instead of replacing the passwords', () => {
    loadOrCreateSecrets(file, ['jwtSecret']);
    writeFileSync(file, '{ not json');
    expect(() => loadOrCreateSecrets(file, ['jwtSecret'])).toThrow(/not a valid secrets file.*stack:reset/);
    expect(readFileSync(file, 'utf8')).toBe('{ not json');
  });
});
