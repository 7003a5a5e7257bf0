import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineConfig, envSchemas, type ConfigValues, type Env } from '@strangler/platform';
import { ADMIN_TOKEN_SECRET_KEY, normalizeUnleashUrl } from './unleash-admin.js';

/** The repository root (this file is <repo>/cli/src/config.ts): relative paths below are from there. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

const fromRepoRoot = (path: string) => (isAbsolute(path) ? path : resolve(REPO_ROOT, path));

/** Every setting of the `strangler` CLI: env var, default, description. Nothing else in cli/ reads process.env. */
export const cliConfig = defineConfig({
  unleashUrl: {
    env: 'UNLEASH_URL',
    default: 'http://127.0.0.1:4242',
    description: 'Base URL of Unleash (the stack runs it on 127.0.0.1:UNLEASH_PORT); a trailing /api is ignored',
    schema: z.url({ protocol: /^https?$/ }).transform(normalizeUnleashUrl),
  },
  unleashAdminToken: {
    env: 'UNLEASH_ADMIN_TOKEN',
    default: '',
    description: `Admin API token; empty = the one the stack created (${ADMIN_TOKEN_SECRET_KEY} in <STACK_DIR>/secrets.json)`,
    schema: z.string(),
    secret: true,
  },
  stackDir: {
    env: 'STACK_DIR',
    default: '.stack',
    description: 'Folder of the local stack, whose secrets.json holds the admin token (relative to the repository root)',
    schema: envSchemas.nonEmpty.transform(fromRepoRoot),
  },
  contractsResultsDir: {
    env: 'CONTRACTS_RESULTS_DIR',
    default: 'contracts/results',
    description: 'Verification records of `npm run contracts` (relative to the repository root): the rollout gate',
    schema: envSchemas.nonEmpty.transform(fromRepoRoot),
  },
  routesFile: {
    env: 'ROUTES_FILE',
    default: 'edge/routes.json',
    description: "The edge's routes file: slices, their flags and backends (relative to the repository root)",
    schema: envSchemas.nonEmpty.transform(fromRepoRoot),
  },
  requestTimeoutMs: {
    env: 'STRANGLER_TIMEOUT_MS',
    default: '5000',
    description: 'Timeout of each Unleash Admin API request',
    schema: envSchemas.positiveInt,
  },
  healthTimeoutMs: {
    env: 'STRANGLER_HEALTH_TIMEOUT_MS',
    default: '1500',
    description: 'Timeout of each backend /ready probe in `strangler status`',
    schema: envSchemas.positiveInt,
  },
});

export type CliConfig = ConfigValues<typeof cliConfig.spec>;

export function loadCliConfig(env: Env = process.env): CliConfig {
  return cliConfig.load(env);
}

/** Where the admin token comes from: UNLEASH_ADMIN_TOKEN, else the stack's secrets file; undefined when neither has one. */
export function resolveAdminToken(config: Pick<CliConfig, 'unleashAdminToken' | 'stackDir'>): { token: string; source: string } | undefined {
  if (config.unleashAdminToken !== '') return { token: config.unleashAdminToken, source: 'UNLEASH_ADMIN_TOKEN' };
  const file = join(config.stackDir, 'secrets.json');
  try {
    const secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const token = secrets[ADMIN_TOKEN_SECRET_KEY];
    return typeof token === 'string' && token !== '' ? { token, source: file } : undefined;
  } catch {
    return undefined;
  }
}
