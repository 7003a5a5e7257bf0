import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from './commands.js';
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
      routesFile: join(REPO_ROOT, 'edge/routes.json'),
    });
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
      'ROUTES_FILE',
      'STRANGLER_TIMEOUT_MS',
      'STRANGLER_HEALTH_TIMEOUT_MS',
    ]);
    expect(() => loadCliConfig({ STRANGLER_TIMEOUT_MS: '0' })).toThrow(/STRANGLER_TIMEOUT_MS="0" is invalid/);
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
