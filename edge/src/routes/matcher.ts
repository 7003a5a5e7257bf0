import type { RouteTable, Slice } from './route-table.js';

interface CompiledRoute {
  slice: Slice;
  methods: ReadonlySet<string>;
  /** One entry per path segment: the literal to compare, or undefined for a `:param`. */
  segments: Array<string | undefined>;
}

export interface RouteMatcher {
  /** The slice whose route matches this method and path (the path without its query), or undefined: legacy. */
  match(method: string, path: string): Slice | undefined;
}

function splitPath(path: string): string[] {
  // One trailing slash is ignored, as the backends (express, non-strict routing) ignore it.
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed === '/' ? [] : trimmed.slice(1).split('/');
}

/**
 * Compiles the table once at start: routes are bucketed by segment count, so a request compares only against
 * routes of its own length, segment by segment. No regular expressions on the hot path.
 */
export function compileRoutes(table: RouteTable): RouteMatcher {
  const byLength = new Map<number, CompiledRoute[]>();
  for (const slice of table.slices) {
    for (const route of slice.routes) {
      const segments = splitPath(route.path).map((segment) => (segment.startsWith(':') ? undefined : segment));
      const bucket = byLength.get(segments.length) ?? [];
      bucket.push({ slice, methods: route.methods, segments });
      byLength.set(segments.length, bucket);
    }
  }
  // Literal segments beat parameters: /a/new must win over /a/:id whichever slice lists it first.
  for (const bucket of byLength.values()) {
    bucket.sort((a, b) => specificity(b) - specificity(a));
  }

  return {
    match(method, path) {
      const segments = splitPath(path);
      const candidates = byLength.get(segments.length);
      if (!candidates) return undefined;
      for (const route of candidates) {
        if (!route.methods.has(method)) continue;
        let matches = true;
        for (let i = 0; i < segments.length; i++) {
          const expected = route.segments[i];
          const actual = segments[i];
          if (actual === '' || (expected !== undefined && expected !== actual)) {
            matches = false;
            break;
          }
        }
        if (matches) return route.slice;
      }
      return undefined;
    },
  };
}

/** A bit per literal segment, most significant first, so earlier literals weigh more. */
function specificity(route: CompiledRoute): number {
  let score = 0;
  for (const segment of route.segments) score = score * 2 + (segment === undefined ? 0 : 1);
  return score;
}
