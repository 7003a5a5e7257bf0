import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cycles,
  exportProblems,
  packageImports,
  readManifest,
  undeclaredImports,
  workspaceEdges,
  type CruisedModule,
  workspaceDirs,
  type PackageManifest,
} from './testing/workspace-graph.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const root = readManifest(repo, '.');


const dep = (module: string) => ({ module, resolved: module, dependencyTypes: ['import'] });

describe('the workspace graph checks (on a made-up repository)', () => {
  const manifests = new Map<string, PackageManifest>([
    ['platform', { name: '@x/platform' }],
    ['legacy', { name: '@x/legacy', dependencies: { '@x/platform': '1', knex: '1' } }],
    ['stack', { name: '@x/stack', dependencies: { '@x/cli': '1' } }],
    ['cli', { name: '@x/cli', devDependencies: { '@x/stack': '1' } }],
  ]);
  const modules: CruisedModule[] = [
    { source: 'legacy/src/app.ts', dependencies: [dep('@x/platform'), dep('knex'), dep('./local.js'), { ...dep('node:fs'), coreModule: true }] },
    { source: 'legacy/src/app.test.ts', dependencies: [dep('vitest'), dep('@x/stack/testing/thing')] },
    { source: 'legacy/src/server.ts', dependencies: [dep('express')] },
    { source: 'stack/src/main.ts', dependencies: [dep('@x/cli')] },
    { source: 'cli/src/e2e.test.ts', dependencies: [dep('@x/stack/testing/harness')] },
  ];
  const imports = packageImports(modules);

  it('finds imports that the importer does not declare, and lets tests use the root toolchain', () => {
    expect(undeclaredImports(imports, manifests, { name: 'root', devDependencies: { vitest: '1' } })).toEqual([
      'legacy imports @x/stack (legacy/src/app.test.ts) but its package.json does not declare it',
      'legacy imports express (legacy/src/server.ts) but its package.json does not declare it in dependencies',
    ]);
  });

  it('finds a cycle between workspaces, test imports included, once', () => {
    expect(cycles(workspaceEdges(imports, manifests))).toEqual(['cli → stack → cli']);
    const acyclic = new Map([...workspaceEdges(imports, manifests)].map(([from, to]) => [from, new Set([...to].filter((target) => target !== 'cli'))]));
    expect(cycles(acyclic)).toEqual([]);
  });

  it('holds every export to the convention', () => {
    expect(exportProblems('platform', { name: 'p', scripts: { build: 'tsc' }, exports: { '.': { development: './src/index.ts', types: './dist/index.d.ts', default: './dist/index.js' } } })).toEqual([]);
    expect(exportProblems('cli', { name: 'c', exports: { './x': { development: './src/x.ts', default: './src/x.ts' } } })).toEqual([]);
    expect(exportProblems('legacy', { name: 'l', scripts: { build: 'tsc' }, exports: { './testing/*': { development: './src/testing/*.ts', default: './src/testing/*.ts' } } })).toEqual([]);
    expect(exportProblems('edge', { name: 'e', scripts: { build: 'tsc' }, exports: { '.': { types: './src/index.ts', default: './src/index.ts' } } })).toEqual([
      'edge exports["."]: "development" must be a ./src/….ts source',
    ]);
    expect(exportProblems('cdc', { name: 'c', scripts: { build: 'tsc' }, exports: { '.': { development: './src/index.ts', default: './src/index.ts' } } })[0]).toMatch(/expected .*dist\/index\.js/);
  });
});

describe('the repository as a graph of workspaces', () => {
  const manifests = new Map(workspaceDirs(repo).map((dir) => [dir, readManifest(repo, dir)]));
  let modules: CruisedModule[] = [];
  const scratch = mkdtempSync(join(tmpdir(), 'strangler-graph-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  beforeAll(async () => {
    // The boundary config, but keeping imports of npm packages in the graph (npm test's own run leaves them out).
    const config = join(scratch, 'graph.cjs');
    writeFileSync(
      config,
      `const base = require(${JSON.stringify(join(repo, '.dependency-cruiser.cjs'))});\n` +
        "module.exports = { ...base, forbidden: [], options: { ...base.options, exclude: { path: '(dist|\\\\.stack)' } } };\n",
    );
    const { stdout } = await promisify(execFile)(join(repo, 'node_modules', '.bin', 'depcruise'), ['--config', config, '--output-type', 'json', ...manifests.keys()], {
      cwd: repo,
      maxBuffer: 256 * 1024 * 1024,
    });
    modules = (JSON.parse(stdout) as { modules: CruisedModule[] }).modules;
  }, 180_000);

  it('sees every workspace', () => {
    const seen = new Set(modules.map((module) => module.source.split('/src/')[0]));
    for (const dir of manifests.keys()) expect(seen, dir).toContain(dir);
  });

  it('has no cycle between workspaces, counting test code', () => {
    expect(cycles(workspaceEdges(packageImports(modules), manifests))).toEqual([]);
  });

  it('declares every package each workspace imports, devDependencies included', () => {
    expect(undeclaredImports(packageImports(modules), manifests, root)).toEqual([]);
  });

  it('has no cycle in the declared workspace dependencies either', () => {
    const byName = new Map([...manifests].map(([dir, manifest]) => [manifest.name, dir]));
    const declared = new Map(
      [...manifests].map(([dir, manifest]) => [
        dir,
        new Set(Object.keys({ ...manifest.dependencies, ...manifest.devDependencies }).flatMap((name) => (byName.has(name) ? [byName.get(name)!] : []))),
      ]),
    );
    expect(cycles(declared)).toEqual([]);
  });

  it('follows one exports convention', () => {
    expect([...manifests].flatMap(([dir, manifest]) => exportProblems(dir, manifest))).toEqual([]);
  });
});
