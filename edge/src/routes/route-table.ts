import { z } from 'zod';
import { describeIssues } from '@strangler/platform';
import { flagNameSchema, loadSlices, SliceManifestError, sliceNameSchema, sliceRouteSchema, type LoadedSlice } from '@strangler/platform/slices';

/** The methods whose requests a slice may split between legacy and its service; every other method stays on legacy. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

const targetUrl = z
  .string()
  .regex(/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/, 'expected an http:// or https:// URL without query or fragment');

/** The edge's view of the slice manifests: what it routes, where to, by which flag (built by `routeTableOf`). */
const sliceSchema = z.strictObject({
  name: sliceNameSchema,
  /** Unleash flag that decides, per user, whether this slice's reads go to the new service. */
  flag: flagNameSchema,
  /** Where this slice's traffic goes when not on the service; defaults to the table's legacy target. */
  legacy: targetUrl.optional(),
  service: targetUrl,
  routes: z.array(sliceRouteSchema).min(1, 'a slice needs at least one route'),
});

export const routeTableSchema = z
  .strictObject({
    legacy: targetUrl,
    slices: z.array(sliceSchema),
  })
  .superRefine((table, ctx) => {
    const names = new Set<string>();
    const routes = new Map<string, string>();
    table.slices.forEach((slice, index) => {
      if (names.has(slice.name)) ctx.addIssue({ code: 'custom', path: ['slices', index, 'name'], message: `duplicate slice name "${slice.name}"` });
      names.add(slice.name);
      for (const route of slice.routes) {
        // Parameter names do not matter for matching: /a/:id and /a/:key are the same route.
        const shape = route.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ':');
        for (const method of route.methods) {
          const key = `${method} ${shape}`;
          const owner = routes.get(key);
          if (owner !== undefined) {
            ctx.addIssue({ code: 'custom', path: ['slices', index, 'routes'], message: `${method} ${route.path} is already routed by slice "${owner}"` });
          }
          routes.set(key, slice.name);
        }
      }
    });
  });

export type RouteTableFile = z.output<typeof routeTableSchema>;

export interface SliceRoute {
  methods: ReadonlySet<string>;
  path: string;
}

export interface Slice {
  name: string;
  flag: string;
  legacy: string;
  service: string;
  routes: SliceRoute[];
}

/** The validated table with every target resolved (defaults and overrides applied). */
export interface RouteTable {
  legacy: string;
  slices: Slice[];
}

export class RouteTableError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`Invalid route table ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RouteTableError';
  }
}

export interface TargetOverride {
  /** `legacy` (every legacy target), `<slice>` / `<slice>.service`, or `<slice>.legacy`. */
  key: string;
  url: string;
}

function stripTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

/** Validates a parsed route table and applies target overrides; `source` names it in error messages. */
export function buildRouteTable(raw: unknown, overrides: TargetOverride[] = [], source = 'route table'): RouteTable {
  const parsed = routeTableSchema.safeParse(raw);
  if (!parsed.success) {
    throw new RouteTableError(
      source,
      parsed.error.issues.map((issue) => describeIssues([issue])),
    );
  }
  const file = parsed.data;
  const table: RouteTable = {
    legacy: stripTrailingSlash(file.legacy),
    slices: file.slices.map((slice) => ({
      name: slice.name,
      flag: slice.flag,
      legacy: stripTrailingSlash(slice.legacy ?? file.legacy),
      service: stripTrailingSlash(slice.service),
      routes: slice.routes.map((route) => ({ methods: new Set(route.methods), path: route.path })),
    })),
  };
  const problems: string[] = [];
  for (const override of overrides) {
    const url = targetUrl.safeParse(override.url);
    if (!url.success) {
      problems.push(`override ${override.key}=${override.url}: ${describeIssues(url.error.issues)}`);
      continue;
    }
    const target = stripTrailingSlash(url.data);
    if (override.key === 'legacy') {
      table.legacy = target;
      for (const slice of table.slices) slice.legacy = target;
      continue;
    }
    const [name, part = 'service'] = override.key.split('.');
    const slice = table.slices.find((candidate) => candidate.name === name);
    if (!slice) {
      problems.push(`override ${override.key}: there is no slice "${name}" in ${source}`);
      continue;
    }
    if (part === 'legacy') slice.legacy = target;
    else slice.service = target;
  }
  if (problems.length > 0) throw new RouteTableError(source, problems);
  return table;
}

/** The table the edge routes by: each slice's read routes, flag and targets; `legacy` is where everything else goes. */
export function routeTableOf(slices: readonly LoadedSlice[], legacy: string | undefined): unknown {
  return {
    legacy: legacy ?? commonLegacyTarget(slices),
    slices: slices.map((slice) => ({ name: slice.name, flag: slice.flags.reads, legacy: slice.urls.legacy, service: slice.urls.service, routes: slice.routes.reads })),
  };
}

/** Without LEGACY_URL, the monolith the manifests agree on; they must name one. */
function commonLegacyTarget(slices: readonly LoadedSlice[]): string | undefined {
  const targets = [...new Set(slices.map((slice) => slice.urls.legacy))];
  return targets.length === 1 ? targets[0] : undefined;
}

/**
 * The route table of the manifests in `slicesDir` (already loaded ones may be passed), overrides applied; any
 * problem stops the edge at start with a list of what is wrong.
 */
export function loadRouteTable(slicesDir: string, overrides: TargetOverride[] = [], slices?: readonly LoadedSlice[]): RouteTable {
  let manifests: readonly LoadedSlice[];
  try {
    manifests = slices ?? loadSlices(slicesDir);
  } catch (error) {
    if (error instanceof SliceManifestError) throw new RouteTableError(slicesDir, error.problems);
    throw error;
  }
  const legacyOverride = overrides.findLast((override) => override.key === 'legacy')?.url;
  const raw = routeTableOf(manifests, legacyOverride);
  if ((raw as { legacy?: string }).legacy === undefined) {
    throw new RouteTableError(slicesDir, ['the slices name different legacy targets: set LEGACY_URL to the one the edge sends everything else to']);
  }
  return buildRouteTable(raw, overrides, slicesDir);
}
