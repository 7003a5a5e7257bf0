import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues } from '@strangler/platform';

/** The methods whose requests a slice may split between legacy and its service; every other method stays on legacy. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const targetUrl = z
  .string()
  .regex(/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/, 'expected an http:// or https:// URL without query or fragment');

/** `/api/users/:id`: literal segments and named `:params`, nothing else, so matching stays a plain segment compare. */
const routePath = z
  .string()
  .regex(
    /^(\/([A-Za-z0-9._~-]+|:[A-Za-z_][A-Za-z0-9_]*))+$|^\/$/,
    'expected a path such as /api/users/:id (literal segments or :params, no trailing slash)',
  )
  .refine((path) => !path.split('/').some((segment) => segment === '.' || segment === '..'), 'dot segments are not allowed');

const routeSchema = z.strictObject({
  methods: z.array(z.enum(HTTP_METHODS)).min(1, 'name at least one method'),
  path: routePath,
});

const sliceSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a lower-case name such as "users"')
    .refine((name) => name !== 'legacy' && name !== 'edge' && name !== 'none', 'legacy, edge and none are reserved backend names'),
  /** Unleash flag that decides, per user, whether this slice's reads go to the new service. */
  flag: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'expected a flag name such as "users.reads"'),
  /** Where this slice's traffic goes when not on the service; defaults to the table's legacy target. */
  legacy: targetUrl.optional(),
  service: targetUrl,
  routes: z.array(routeSchema).min(1, 'a slice needs at least one route'),
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

/** Reads and validates the route table file; any problem stops the edge at start with a list of what is wrong. */
export function loadRouteTable(file: string, overrides: TargetOverride[] = []): RouteTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RouteTableError(file, [`cannot read the file: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RouteTableError(file, [`not valid JSON: ${(error as Error).message}`]);
  }
  return buildRouteTable(raw, overrides, file);
}
