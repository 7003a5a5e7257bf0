import { z } from 'zod';

/**
 * What one slice is, declared once: `slices/<name>.json`. Every package reads slices through `loadSlices` (this
 * folder), so adding a slice is a manifest plus its service workspace and projector mapping, never a code change
 * in the edge, the CLI, the launcher or the contracts.
 */

const RESERVED_NAMES = ['legacy', 'edge', 'none', 'platform', 'stack'];

export const sliceNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'expected a lower-case name such as "users"')
  .refine((name) => !RESERVED_NAMES.includes(name), `${RESERVED_NAMES.join(', ')} are reserved names`);

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** `/api/users/:id`: literal segments and named `:params`, nothing else, so matching stays a plain segment compare. */
export const routePathSchema = z
  .string()
  .regex(
    /^(\/([A-Za-z0-9._~-]+|:[A-Za-z_][A-Za-z0-9_]*))+$|^\/$/,
    'expected a path such as /api/users/:id (literal segments or :params, no trailing slash)',
  )
  .refine((path) => !path.split('/').some((segment) => segment === '.' || segment === '..'), 'dot segments are not allowed');

export const sliceRouteSchema = z.strictObject({
  methods: z.array(z.enum(HTTP_METHODS)).min(1, 'name at least one method'),
  path: routePathSchema,
});

export const baseUrlSchema = z
  .string()
  .regex(/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/, 'expected an http:// or https:// URL without query or fragment')
  .transform((url) => url.replace(/\/+$/, ''));

/** A port the launcher lets the operator move: the environment setting that overrides it, and its default. */
const portSettingSchema = z.strictObject({
  setting: z.string().regex(/^[A-Z][A-Z0-9_]*_PORT$/, 'expected an environment variable name ending in _PORT, such as USERS_PORT'),
  default: z.number().int().min(1).max(65535),
});

/** An Unleash feature flag name: `<slice>.<purpose>` by convention. */
export const flagNameSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'expected a flag name such as "users.reads"');

const identifier = (what: string) => z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, `expected a lower-case ${what} name (letters, digits, _)`);
const pactName = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'expected a lower-case pact participant name such as "users-api"');

/** Only read methods may split between legacy and the service; a read route naming POST would split writes. */
const READ_ONLY_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD']);

export const sliceManifestSchema = z
  .strictObject({
    name: sliceNameSchema,
    description: z.string().min(1).max(200),
    service: z.strictObject({
      /** The implementation's name in pacts, logs and reports: users-service. */
      name: pactName,
      /** Its npm workspace, relative to the repository root: new-services/users. */
      workspace: z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, 'expected a folder relative to the repository root').refine((dir) => !dir.split('/').includes('..'), 'no .. segments'),
      /** Its own database (and the account that owns it, of the same name). */
      database: identifier('database'),
      port: portSettingSchema,
    }),
    /** Where each implementation answers when nobody overrides it (the launcher and compose do, per deployment). */
    urls: z.strictObject({ legacy: baseUrlSchema, service: baseUrlSchema }),
    routes: z.strictObject({
      /** Split between legacy and the service by the read flag. */
      reads: z.array(sliceRouteSchema).min(1, 'a slice needs at least one read route'),
      /** Taken by the slice's owner; declared for the write migration, routed to legacy until then. */
      writes: z.array(sliceRouteSchema),
    }),
    flags: z.strictObject({
      /** The Unleash flag that sends a share of the slice's reads to the service: `<slice>.reads`. */
      reads: flagNameSchema,
    }),
    /** The monolith's tables this slice covers, each with the service table its rows land in. */
    tables: z.array(z.strictObject({ legacy: identifier('table'), service: identifier('table') })).min(1, 'a slice covers at least one legacy table'),
    /** The CDC projector that keeps the service's tables in step with legacy's (cdc/src/projectors). */
    projector: z.strictObject({ name: sliceNameSchema, port: portSettingSchema }),
    pacts: z.strictObject({
      /** The HTTP pact both implementations are verified against: consumer → provider. */
      http: z.strictObject({ consumer: pactName, provider: pactName }),
      /** Message pacts the projector holds on legacy's change events. */
      messages: z.array(z.strictObject({ consumer: pactName, provider: pactName })),
    }),
  })
  .superRefine((manifest, ctx) => {
    manifest.routes.reads.forEach((route, index) => {
      for (const method of route.methods) {
        if (!READ_ONLY_METHODS.has(method)) {
          ctx.addIssue({ code: 'custom', path: ['routes', 'reads', index, 'methods'], message: `${method} is not a read method (reads are GET or HEAD)` });
        }
      }
    });
  });

export type SliceManifest = z.output<typeof sliceManifestSchema>;
export type SliceRoute = SliceManifest['routes']['reads'][number];

/** Parameter names do not matter for matching: /a/:id and /a/:key are the same route. */
export function routeShape(method: string, path: string): string {
  return `${method} ${path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ':')}`;
}
