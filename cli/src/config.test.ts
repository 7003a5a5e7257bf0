import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from './cli-error.js';
import { cliConfig, loadCliConfig, REPO_ROOT, resolveAdminToken } from './config.js';
import { createDeps } from './program.js';

const dir = mkdtempSync(join(tmpdir(), 'strangler-cli-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const io = { out: { write: () => true }, err: { write: () => true } };

describe('cli config', () => {
  it('has the documented defaults, paths from the repository root', () => {
    expect(loadCliConfig({})).toMatchObject({
      unleashUrl: 'http://127.0.0.1:4242',
      unleashAdminToken: '',
      stackDir: join(REPO_ROOT, '.stack'),
      contractsResultsDir: join(REPO_ROOT, 'contracts/results'),
      slicesDir: join(REPO_ROOT, 'slices'),
      connectUrl: 'http://127.0.0.1:8083',
      kafkaBrokers: ['127.0.0.1:9092'],
      mariadbPort: 3307,
      projectorUrls: { users: 'http://127.0.0.1:3101', catalog: 'http://127.0.0.1:3102' },
      cdcTopicPrefix: 'legacy',
      cdcSourceDatabase: 'legacy',
      cdcGroupPrefix: 'strangler-projector',
      cdcRegisterWaitMs: 30000,
    });
  });

  it('rejects a broker that is not host:port and a CONNECT_URL that is not a URL, naming the variable', () => {
    expect(() => loadCliConfig({ KAFKA_BROKERS: '127.0.0.1' })).toThrow(/KAFKA_BROKERS="127.0.0.1" is invalid .*host:port/);
    expect(() => loadCliConfig({ KAFKA_BROKERS: ' , ' })).toThrow(/KAFKA_BROKERS=" , " is invalid/);
    expect(() => loadCliConfig({ CONNECT_URL: 'localhost:8083' })).toThrow(/CONNECT_URL="localhost:8083" is invalid/);
    expect(loadCliConfig({ CONNECT_URL: 'http://connect:8083/' }).connectUrl).toBe('http://connect:8083');
    expect(() => loadCliConfig({ CDC_TOPIC_PREFIX: 'a b' })).toThrow(/CDC_TOPIC_PREFIX="a b" is invalid/);
  });

  it("accepts the edge's client-API style UNLEASH_URL (…/api/) and rejects a non-URL", () => {
    expect(loadCliConfig({ UNLEASH_URL: 'http://127.0.0.1:4242/api/' }).unleashUrl).toBe('http://127.0.0.1:4242');
    expect(() => loadCliConfig({ UNLEASH_URL: 'not a url' })).toThrow(/UNLEASH_URL="not a url" is invalid/);
  });

  it('lists every setting with its env var', () => {
    expect(cliConfig.describe().map((row) => row.env)).toEqual([
      'UNLEASH_URL',
      'UNLEASH_ADMIN_TOKEN',
      'STACK_DIR',
      'CONTRACTS_RESULTS_DIR',
      'SLICES_DIR',
      'STRANGLER_TIMEOUT_MS',
      'STRANGLER_HEALTH_TIMEOUT_MS',
      'CONNECT_URL',
      'KAFKA_BROKERS',
      'MARIADB_PORT',
      'CDC_TOPIC_PREFIX',
      'CDC_SOURCE_DATABASE',
      'CDC_GROUP_PREFIX',
      'STRANGLER_CDC_WAIT_MS',
    ]);
    expect(() => loadCliConfig({ STRANGLER_TIMEOUT_MS: '0' })).toThrow(/STRANGLER_TIMEOUT_MS="0" is invalid/);
    // Each slice manifest's projector adds its own <PROJECTOR>_PROJECTOR_URL.
    expect(loadCliConfig({ USERS_PROJECTOR_URL: 'http://h:1/' }).projectorUrls).toEqual({ users: 'http://h:1', catalog: 'http://127.0.0.1:3102' });
    expect(() => loadCliConfig({ CATALOG_PROJECTOR_URL: 'nope' })).toThrow(/CATALOG_PROJECTOR_URL="nope" is invalid/);
  });

  it('takes the admin token from UNLEASH_ADMIN_TOKEN, else from <STACK_DIR>/secrets.json', () => {
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ 'unleash.adminToken': '*:*.from-file' }));
    expect(resolveAdminToken(loadCliConfig({ STACK_DIR: dir }))).toEqual({ token: '*:*.from-file', source: join(dir, 'secrets.json') });
    expect(resolveAdminToken(loadCliConfig({ STACK_DIR: dir, UNLEASH_ADMIN_TOKEN: '*:*.from-env' }))?.token).toBe('*:*.from-env');
    expect(resolveAdminToken(loadCliConfig({ STACK_DIR: join(dir, 'none') }))).toBeUndefined();
  });

  it('a missing token is a usage error (exit 2) that says where a token comes from', () => {
    const deps = createDeps(loadCliConfig({ STACK_DIR: join(dir, 'none') }), io);
    expect(() => deps.admin()).toThrow(CliError);
    expect(() => deps.admin()).toThrow(/no Unleash admin token: set UNLEASH_ADMIN_TOKEN, or start the stack once \(`npm start`\)/);
    try {
      deps.admin();
    } catch (error) {
      expect((error as CliError).exitCode).toBe(2);
    }
  });
});
