import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeIssues } from '../validation.js';
import { routeShape, sliceManifestSchema, type SliceManifest } from './slice-manifest.js';

/** The repository's `slices/` folder (this file is platform/{src,dist}/slices/load-slices.*). */
export const DEFAULT_SLICES_DIR = fileURLToPath(new URL('../../../slices', import.meta.url));

export class SliceManifestError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid slice manifests in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SliceManifestError';
  }
}

export interface LoadedSlice extends SliceManifest {
  /** The manifest file it came from, for messages. */
  file: string;
}

/** Every `<name>.json` in `dir`, validated one by one and then against each other, sorted by name. */
export function loadSlices(dir: string = DEFAULT_SLICES_DIR): LoadedSlice[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.json')).sort();
  } catch (error) {
    throw new SliceManifestError(dir, [`cannot read the folder: ${(error as Error).message}`]);
  }
  if (files.length === 0) throw new SliceManifestError(dir, ['no slice manifest (<name>.json) in the folder']);
  const problems: string[] = [];
  const slices: LoadedSlice[] = [];
  for (const file of files) {
    const path = join(dir, file);
    const parsed = parseManifest(path);
    if (typeof parsed === 'string') {
      problems.push(`${file}: ${parsed}`);
      continue;
    }
    if (`${parsed.name}.json` !== file) problems.push(`${file}: the slice is named "${parsed.name}", so its file must be ${parsed.name}.json`);
    slices.push({ ...parsed, file: path });
  }
  problems.push(...crossSliceProblems(slices));
  if (problems.length > 0) throw new SliceManifestError(dir, problems);
  return slices.sort((a, b) => a.name.localeCompare(b.name));
}

/** The manifest, or what is wrong with it. */
function parseManifest(path: string): SliceManifest | string {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    return `not readable JSON: ${(error as Error).message}`;
  }
  const result = sliceManifestSchema.safeParse(raw);
  return result.success ? result.data : result.error.issues.map((issue) => describeIssues([issue])).join('; ');
}

/** What two slices may not share: a name, a flag, a service, a database, a port, a projector, a route. */
export function crossSliceProblems(slices: readonly LoadedSlice[]): string[] {
  const problems: string[] = [];
  const claims = new Map<string, string>();
  const claim = (what: string, value: string | number, slice: LoadedSlice) => {
    const key = `${what}=${value}`;
    const owner = claims.get(key);
    if (owner !== undefined && owner !== slice.name) problems.push(`${basename(slice.file)}: ${what} ${value} is already used by slice "${owner}"`);
    else if (owner === slice.name && what === 'route') problems.push(`${basename(slice.file)}: route ${value} is declared twice`);
    claims.set(key, slice.name);
  };
  for (const slice of slices) {
    claim('name', slice.name, slice);
    claim('flag', slice.flags.reads, slice);
    claim('service', slice.service.name, slice);
    claim('workspace', slice.service.workspace, slice);
    claim('database', slice.service.database, slice);
    claim('projector', slice.projector.name, slice);
    for (const port of [slice.service.port, slice.projector.port]) {
      claim('port setting', port.setting, slice);
      claim('default port', port.default, slice);
    }
    for (const route of [...slice.routes.reads, ...slice.routes.writes]) {
      for (const method of route.methods) claim('route', routeShape(method, route.path), slice);
    }
  }
  return problems;
}

export function findSlice(slices: readonly LoadedSlice[], name: string): LoadedSlice | undefined {
  return slices.find((slice) => slice.name === name);
}
