import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const config = createRequire(import.meta.url)(join(repo, '.dependency-cruiser.cjs')) as IConfiguration;

/** The boundary rules `npm test` enforces must actually fire: cruise a tiny fixture tree that breaks each one. */
describe('dependency-cruiser boundary rules', () => {
  const fixture = mkdtempSync(join(tmpdir(), 'strangler-boundaries-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  function file(path: string, content: string): void {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), content);
  }

  file('legacy/src/app.ts', 'export const app = 1;\n');
  file('legacy/src/testing/test-app.ts', 'export const testApp = 1;\n');
  file('platform/src/index.ts', "import { app } from '../../legacy/src/app.js';\nexport const kernel = app;\n");
  file('new-services/users/src/app.ts', "import { app } from '../../../legacy/src/app.js';\nexport const users = app;\n");
  file('new-services/catalog/src/app.ts', "import { users } from '../../users/src/app.js';\nexport const catalog = users;\n");
  file('edge/src/router.ts', "import { catalog } from '../../new-services/catalog/src/app.js';\nexport const router = catalog;\n");
  file('legacy/src/server.ts', "import { testApp } from './testing/test-app.js';\nexport const server = testApp;\n");
  file('legacy/src/fine.test.ts', "import { testApp } from './testing/test-app.js';\nexport const fine = testApp;\n");
  file('testkit/src/database.ts', 'export const testDatabase = 1;\n');
  file('legacy/src/seed.ts', "import { testDatabase } from '../../testkit/src/database.js';\nexport const seed = testDatabase;\n");
  file('cli/src/program.ts', 'export const program = 1;\n');
  file('unleash-admin/src/client.ts', "import { program } from '../../cli/src/program.js';\nexport const client = program;\n");

  async function violations(): Promise<string[]> {
    const previous = process.cwd();
    process.chdir(fixture);
    try {
      const result = await cruise(['legacy', 'platform', 'new-services', 'edge', 'testkit', 'cli', 'unleash-admin'], {
        validate: true,
        ruleSet: { forbidden: config.forbidden },
        tsPreCompilationDeps: true,
      });
      return (result.output as ICruiseResult).summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
    } finally {
      process.chdir(previous);
    }
  }

  it('reports every forbidden import and nothing else', async () => {
    expect(await violations()).toEqual([
      'edge-imports-no-service-internals: edge/src/router.ts → new-services/catalog/src/app.ts',
      'new-services-never-import-legacy: new-services/users/src/app.ts → legacy/src/app.ts',
      'new-services-stand-alone: new-services/catalog/src/app.ts → new-services/users/src/app.ts',
      'no-relative-imports-across-workspaces: edge/src/router.ts → new-services/catalog/src/app.ts',
      'no-relative-imports-across-workspaces: legacy/src/seed.ts → testkit/src/database.ts',
      'no-relative-imports-across-workspaces: new-services/catalog/src/app.ts → new-services/users/src/app.ts',
      'no-relative-imports-across-workspaces: new-services/users/src/app.ts → legacy/src/app.ts',
      'no-relative-imports-across-workspaces: platform/src/index.ts → legacy/src/app.ts',
      'no-relative-imports-across-workspaces: unleash-admin/src/client.ts → cli/src/program.ts',
      'platform-imports-no-app-package: platform/src/index.ts → legacy/src/app.ts',
      'production-code-imports-no-test-harness: legacy/src/seed.ts → testkit/src/database.ts',
      'production-code-imports-no-test-harness: legacy/src/server.ts → legacy/src/testing/test-app.ts',
      'unleash-admin-imports-only-platform: unleash-admin/src/client.ts → cli/src/program.ts',
    ]);
  });
});
