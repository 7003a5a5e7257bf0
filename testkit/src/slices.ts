import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SLICES_DIR, loadSlices, sliceEnvPrefix, type LoadedSlice, type SliceManifest } from '@strangler/platform/slices';

/** A manifest as written to disk (the loader adds `file`). */
export type ManifestJson = SliceManifest;

/** The repository's manifest of `name`, as JSON, for a test to change and write elsewhere. */
export function repoSliceManifest(name: string): ManifestJson {
  return JSON.parse(readFileSync(join(DEFAULT_SLICES_DIR, `${name}.json`), 'utf8')) as ManifestJson;
}

/** Every manifest of the repository, sorted by name. */
export function repoSliceManifests(): ManifestJson[] {
  return loadSlices().map(({ file: _file, ...manifest }: LoadedSlice) => manifest);
}

export interface TestSliceOptions {
  name: string;
  /** Default: http://127.0.0.1:3000. */
  legacy?: string;
  /** Default: http://127.0.0.1:<servicePort>. */
  service?: string;
  /** Default: GET and HEAD of /api/<name> and /api/<name>/:id. */
  reads?: ManifestJson['routes']['reads'];
  flag?: string;
  /** Defaults keep clear of the repository's slices: 3900 and 3950. */
  servicePort?: number;
  projectorPort?: number;
}

/** A complete, valid manifest for a slice no code knows about: what a team adding a slice writes. */
export function testSliceManifest(options: TestSliceOptions): ManifestJson {
  const { name } = options;
  const prefix = sliceEnvPrefix(name);
  const servicePort = options.servicePort ?? 3900;
  return {
    name,
    description: `The ${name} slice (a test's)`,
    service: { name: `${name}-service`, workspace: `new-services/${name}`, database: `${name.replace(/-/g, '_')}_svc`, port: { setting: `${prefix}_PORT`, default: servicePort } },
    urls: { legacy: options.legacy ?? 'http://127.0.0.1:3000', service: options.service ?? `http://127.0.0.1:${servicePort}` },
    routes: {
      reads: options.reads ?? [
        { methods: ['GET', 'HEAD'], path: `/api/${name}` },
        { methods: ['GET', 'HEAD'], path: `/api/${name}/:id` },
      ],
      writes: [{ methods: ['POST'], path: `/api/${name}` }],
    },
    flags: { reads: options.flag ?? `${name}.reads` },
    tables: [{ legacy: name.replace(/-/g, '_'), service: name.replace(/-/g, '_') }],
    projector: { name, port: { setting: `${prefix}_PROJECTOR_PORT`, default: options.projectorPort ?? 3950 } },
    pacts: { http: { consumer: 'storefront', provider: `${name}-api` }, messages: [] },
  };
}

/** Writes the manifests as `<name>.json` into `dir` (made if missing); returns `dir`. */
export function writeSliceManifests(dir: string, manifests: readonly ManifestJson[]): string {
  mkdirSync(dir, { recursive: true });
  for (const manifest of manifests) writeFileSync(join(dir, `${manifest.name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** A temporary slices folder with these manifests, and how to remove it. */
export function temporarySlicesDir(manifests: readonly ManifestJson[]): { dir: string; remove(): void } {
  const dir = writeSliceManifests(mkdtempSync(join(tmpdir(), 'strangler-slices-')), manifests);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
