import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The strangled slices and the flag that routes each one, as the edge is configured: read from the edge's routes
 * file (edge/routes.json, a JSON config file; never the edge's code). Without that file, the two slices extracted so
 * far with the stack's default ports.
 */
export interface SliceSpec {
  /** users, catalog, … (also the `slice` of the contracts). */
  name: string;
  /** The Unleash flag routing it, `<slice>.<purpose>`: users.reads. */
  flag: string;
  /** Base URL of the monolith that serves the slice today. */
  legacy: string;
  /** Base URL of the extracted service. */
  service: string;
}

export const DEFAULT_SLICES: readonly SliceSpec[] = [
  { name: 'users', flag: 'users.reads', legacy: 'http://127.0.0.1:3000', service: 'http://127.0.0.1:3001' },
  { name: 'catalog', flag: 'catalog.reads', legacy: 'http://127.0.0.1:3000', service: 'http://127.0.0.1:3002' },
];

// Only the fields read here; the edge's file has more (routes, methods) and may grow.
const routesFileSchema = z.object({
  legacy: z.string().min(1).optional(),
  slices: z
    .array(
      z.object({
        name: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a lower-case slice name'),
        flag: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'an Unleash flag name'),
        legacy: z.string().min(1).optional(),
        service: z.string().min(1),
      }),
    )
    .min(1),
});

/** The slices of the routes file, or DEFAULT_SLICES when there is no such file. Throws, naming the file, when it is invalid. */
export function loadSlices(routesFile: string): SliceSpec[] {
  if (!existsSync(routesFile)) return DEFAULT_SLICES.map((slice) => ({ ...slice }));
  let parsed: z.infer<typeof routesFileSchema>;
  try {
    parsed = routesFileSchema.parse(JSON.parse(readFileSync(routesFile, 'utf8')));
  } catch (error) {
    const detail = error instanceof z.ZodError ? error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : (error as Error).message;
    throw new Error(`${routesFile} is not a valid routes file (${detail})`);
  }
  return parsed.slices.map((slice) => {
    const legacy = slice.legacy ?? parsed.legacy;
    if (!legacy) throw new Error(`${routesFile}: slice "${slice.name}" has no legacy target (and the file no top-level "legacy")`);
    return { name: slice.name, flag: slice.flag, legacy: stripSlash(legacy), service: stripSlash(slice.service) };
  });
}

/** Every flag the launcher keeps in shape: the routes file's, and always those of DEFAULT_SLICES. */
export function declaredFlags(routesFile: string): string[] {
  return [...new Set([...loadSlices(routesFile).map((slice) => slice.flag), ...DEFAULT_SLICES.map((slice) => slice.flag)])];
}

function stripSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
