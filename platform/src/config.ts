import { z } from 'zod';
import { describeIssues } from './validation.js';

/** One configuration key: where it comes from, what it defaults to, what it means, how it is validated. */
export interface ConfigKey<S extends z.ZodType = z.ZodType> {
  env: string;
  default?: string;
  description: string;
  schema: S;
  /** Secrets are never echoed back in error messages or `describe()`. */
  secret?: boolean;
}

export type ConfigSpec = Record<string, ConfigKey>;
export type ConfigValues<T extends ConfigSpec> = { [K in keyof T]: z.output<T[K]['schema']> };
export type Env = Readonly<Record<string, string | undefined>>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface ConfigModule<T extends ConfigSpec> {
  spec: T;
  /** Validates every key at once and throws a ConfigError listing all problems. */
  load(env: Env): ConfigValues<T>;
  /** One row per key, for docs and `--help` output. */
  describe(): Array<{ key: string; env: string; default: string; description: string }>;
}

export function defineConfig<T extends ConfigSpec>(spec: T): ConfigModule<T> {
  return {
    spec,
    load(env) {
      const problems: string[] = [];
      const values: Record<string, unknown> = {};
      for (const [key, def] of Object.entries(spec)) {
        const raw = env[def.env] ?? def.default;
        if (raw === undefined) {
          problems.push(`${def.env} is required (${def.description})`);
          continue;
        }
        const result = def.schema.safeParse(raw);
        if (result.success) {
          values[key] = result.data;
        } else {
          const shown = def.secret ? '<secret>' : JSON.stringify(raw);
          problems.push(`${def.env}=${shown} is invalid (${def.description}): ${describeIssues(result.error.issues)}`);
        }
      }
      if (problems.length > 0) throw new ConfigError(problems);
      return values as ConfigValues<T>;
    },
    describe() {
      return Object.entries(spec).map(([key, def]) => ({
        key,
        env: def.env,
        default: def.default ?? '(required)',
        description: def.description,
      }));
    },
  };
}

/** Schemas for values that arrive as strings from the environment. */
export const envSchemas = {
  port: z.coerce.number().int().min(0).max(65535),
  positiveInt: z.coerce.number().int().positive(),
  nonNegativeInt: z.coerce.number().int().min(0),
  host: z.string().min(1),
  nonEmpty: z.string().min(1),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  boolean: z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
  byteSize: z.string().regex(/^\d+(b|kb|mb)$/i, 'expected a size such as 100kb or 1mb'),
};

/** Keys every HTTP service shares; compose them into a package's own spec. */
export function httpConfigKeys(defaults: { port: number; service: string }) {
  return {
    host: { env: 'HOST', default: '127.0.0.1', description: 'Interface to listen on', schema: envSchemas.host },
    port: { env: 'PORT', default: String(defaults.port), description: 'HTTP port to listen on', schema: envSchemas.port },
    serviceName: { env: 'SERVICE_NAME', default: defaults.service, description: 'Name used in logs and metrics', schema: envSchemas.nonEmpty },
    logLevel: { env: 'LOG_LEVEL', default: 'info', description: 'pino log level', schema: envSchemas.logLevel },
    bodyLimit: { env: 'BODY_LIMIT', default: '100kb', description: 'Largest accepted JSON request body', schema: envSchemas.byteSize },
    shutdownTimeoutMs: {
      env: 'SHUTDOWN_TIMEOUT_MS',
      default: '10000',
      description: 'How long SIGTERM waits for in-flight requests before closing connections',
      schema: envSchemas.positiveInt,
    },
  } satisfies ConfigSpec;
}

/** Keys for one MySQL-compatible database connection. */
export function dbConfigKeys(defaults: { database: string; user: string; port?: number }) {
  return {
    dbHost: { env: 'DB_HOST', default: '127.0.0.1', description: 'Database host', schema: envSchemas.host },
    dbPort: { env: 'DB_PORT', default: String(defaults.port ?? 3306), description: 'Database port', schema: envSchemas.port },
    dbUser: { env: 'DB_USER', default: defaults.user, description: 'Database user', schema: envSchemas.nonEmpty },
    dbPassword: { env: 'DB_PASSWORD', default: '', description: 'Database password', schema: z.string(), secret: true },
    dbName: { env: 'DB_NAME', default: defaults.database, description: 'Database (schema) name', schema: envSchemas.nonEmpty },
    dbPoolMax: { env: 'DB_POOL_MAX', default: '10', description: 'Largest number of pooled connections', schema: envSchemas.positiveInt },
  } satisfies ConfigSpec;
}
