import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The repository as a graph of workspaces, built from the module graph dependency-cruiser produces: which workspace
 * imports which, from production or test code, and whether each import is declared in the importer's package.json.
 */

// The same patterns the dependency-cruiser rules use.
const patterns = createRequire(import.meta.url)('../../../scripts/workspace-patterns.cjs') as { WORKSPACE: string; TEST_CODE: string };
const WORKSPACE = new RegExp(`^${patterns.WORKSPACE}/`);
const TEST_CODE = new RegExp(patterns.TEST_CODE);

export interface CruisedModule {
  source: string;
  dependencies: Array<{ module: string; resolved: string; coreModule?: boolean; dependencyTypes: string[] }>;
}

export interface PackageManifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  exports?: Record<string, unknown>;
}

export interface Import {
  from: string;
  /** The importing module. */
  module: string;
  /** The npm package imported (a workspace's name for workspace imports). */
  pkg: string;
  test: boolean;
}

export function workspaceOf(path: string): string | undefined {
  return WORKSPACE.exec(path)?.[1];
}

export function isTestCode(path: string): boolean {
  return TEST_CODE.test(path);
}

/** `@scope/name/sub/path` → `@scope/name`, `name/sub` → `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Every import of a package (not a relative file, not node's own) by a workspace's module. */
export function packageImports(modules: readonly CruisedModule[]): Import[] {
  return modules.flatMap((module) => {
    const from = workspaceOf(module.source);
    if (!from) return [];
    return module.dependencies
      .filter((dependency) => !dependency.coreModule && !dependency.dependencyTypes.includes('core') && !dependency.module.startsWith('.'))
      .map((dependency) => ({ from, module: module.source, pkg: packageName(dependency.module), test: isTestCode(module.source) }));
  });
}

/**
 * Imports the importer does not declare: production code needs the package in `dependencies`; test code may also
 * use its `devDependencies` or the root's (the repository's one test toolchain: vitest, supertest, …).
 */
export function undeclaredImports(imports: readonly Import[], manifests: ReadonlyMap<string, PackageManifest>, root: PackageManifest): string[] {
  const problems = new Set<string>();
  for (const { from, module, pkg, test } of imports) {
    const own = manifests.get(from);
    if (!own || own.name === pkg) continue;
    const declared = own.dependencies?.[pkg] ?? (test ? (own.devDependencies?.[pkg] ?? root.devDependencies?.[pkg]) : undefined);
    if (declared === undefined) problems.add(`${from} imports ${pkg} (${module}) but its package.json does not declare it${test ? '' : ' in dependencies'}`);
  }
  return [...problems].sort();
}

/** Workspace → the workspaces it imports (production and test code alike: a test import is a dependency too). */
export function workspaceEdges(imports: readonly Import[], manifests: ReadonlyMap<string, PackageManifest>): Map<string, Set<string>> {
  const byName = new Map([...manifests].map(([dir, manifest]) => [manifest.name, dir]));
  const edges = new Map<string, Set<string>>([...manifests.keys()].map((dir) => [dir, new Set<string>()]));
  for (const { from, pkg } of imports) {
    const to = byName.get(pkg);
    if (to !== undefined && to !== from) edges.get(from)?.add(to);
  }
  return edges;
}

/** Every cycle, each as the path that closes it (`a → b → a`), found once. */
export function cycles(edges: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const found = new Set<string>();
  const visit = (node: string, path: string[]) => {
    for (const next of edges.get(node) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) {
        const loop = path.slice(at);
        // One rotation per cycle: start at its smallest member.
        const start = loop.indexOf([...loop].sort()[0]!);
        const canonical = [...loop.slice(start), ...loop.slice(0, start)];
        found.add([...canonical, canonical[0]].join(' → '));
      } else {
        visit(next, [...path, next]);
      }
    }
  };
  for (const node of edges.keys()) visit(node, [node]);
  return [...found].sort();
}

/**
 * The exports convention: `development` is the TypeScript source; a built package (one with a `build` script) also
 * points `types` and `default` at dist/, a source-only one (tests, tools) points `default` at the same source.
 */
export function exportProblems(dir: string, manifest: PackageManifest): string[] {
  const built = manifest.scripts?.build !== undefined;
  return Object.entries(manifest.exports ?? {}).flatMap(([subpath, target]) => {
    const conditions = target as Record<string, string>;
    const source = conditions.development;
    const where = `${dir} exports["${subpath}"]`;
    if (typeof source !== 'string' || !/^\.\/src\/.*\.ts$/.test(source)) return [`${where}: "development" must be a ./src/….ts source`];
    const isTestSupport = source.startsWith('./src/testing/') || dir === 'testkit';
    if (built && !isTestSupport) {
      const dist = source.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '');
      const expected = { development: source, types: `${dist}.d.ts`, default: `${dist}.js` };
      return JSON.stringify(conditions) === JSON.stringify(expected) ? [] : [`${where}: expected ${JSON.stringify(expected)}`];
    }
    const expected = { development: source, default: source };
    return JSON.stringify(conditions) === JSON.stringify(expected) ? [] : [`${where}: expected ${JSON.stringify(expected)} (not built: run from source)`];
  });
}

export function readManifest(repo: string, dir: string): PackageManifest {
  return JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8')) as PackageManifest;
}

/** The workspace folders the root package.json declares (`new-services/*` expanded to the packages in it). */
export function workspaceDirs(repo: string): string[] {
  const { workspaces } = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { workspaces: string[] };
  return workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    if (!existsSync(join(repo, parent))) return [];
    // Only folders that are packages count as workspaces.
    return readdirSync(join(repo, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(repo, parent, entry.name, 'package.json')))
      .map((entry) => `${parent}/${entry.name}`);
  });
}
