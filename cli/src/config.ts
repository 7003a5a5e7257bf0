import { readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DEFAULT_GROUP_PREFIX } from '@strangler/cdc/connect';
import { defineConfig, envSchemas, type ConfigValues, type Env } from '@strangler/platform';
import { DEFAULT_SLICES_DIR, loadConfigWithSlices, loadSlicesOf, sliceEnvPrefix, type LoadedSlice } from '@strangler/platform/slices';
import { ADMIN_TOKEN_SECRET_KEY } from '@strangler/stack/secret-keys';
import { normalizeUnleashUrl } from '@strangler/unleash-admin';

/** The repository root (this file is <repo>/cli/src/config.ts): relative paths below are from there. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

const fromRepoRoot = (path: string) => (isAbsolute(path) ? path : resolve(REPO_ROOT, path));

/** Same format as the projectors' KAFKA_BROKERS (cdc/src/config.ts). */
const brokerList = z
  .string()
  .transform((list) => list.split(',').map((broker) => broker.trim()).filter((broker) => broker !== ''))
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'each broker must be host:port')).min(1, 'at least one broker'));

const baseUrl = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));
const kafkaName = z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore or dash');

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
  slicesDir: {
    env: 'SLICES_DIR',
    default: relative(REPO_ROOT, DEFAULT_SLICES_DIR),
    description: 'Folder of the slice manifests (<slice>.json): slices, their flags, backends and pacts (relative to the repository root)',
    schema: envSchemas.nonEmpty.transform(fromRepoRoot),
  },
  requestTimeoutMs: {
    env: 'STRANGLER_TIMEOUT_MS',
    default: '5000',
    description: 'Timeout of each Unleash Admin API and Kafka Connect REST request, and of each Kafka admin request',
    schema: envSchemas.positiveInt,
  },
  healthTimeoutMs: {
    env: 'STRANGLER_HEALTH_TIMEOUT_MS',
    default: '1500',
    description: 'Timeout of each backend /ready probe in `strangler status`, of each projector /ready and /metrics request, and of connecting to Kafka in `strangler cdc status`',
    schema: envSchemas.positiveInt,
  },
  connectUrl: {
    env: 'CONNECT_URL',
    default: 'http://127.0.0.1:8083',
    description: 'Base URL of the Kafka Connect REST API (the stack runs it on 127.0.0.1:CONNECT_PORT)',
    schema: baseUrl,
  },
  kafkaBrokers: {
    env: 'KAFKA_BROKERS',
    default: '127.0.0.1:9092',
    description: 'Comma-separated Kafka bootstrap brokers, host:port (the stack runs one on 127.0.0.1:KAFKA_PORT)',
    schema: brokerList,
  },
  mariadbPort: {
    env: 'MARIADB_PORT',
    default: '3307',
    description: "Port of the stack's MariaDB on 127.0.0.1, which `strangler cdc register` tells Debezium to capture",
    schema: envSchemas.port,
  },
  cdcTopicPrefix: {
    env: 'CDC_TOPIC_PREFIX',
    default: 'legacy',
    description: "Debezium's topic.prefix: change topics are <CDC_TOPIC_PREFIX>.<CDC_SOURCE_DATABASE>.<table>, dead letters <CDC_TOPIC_PREFIX>.dead-letter.<projector>",
    schema: kafkaName,
  },
  cdcSourceDatabase: {
    env: 'CDC_SOURCE_DATABASE',
    default: 'legacy',
    description: "The monolith's database Debezium captures (the middle part of the change topics' names)",
    schema: z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits or underscore'),
  },
  cdcGroupPrefix: {
    env: 'CDC_GROUP_PREFIX',
    default: DEFAULT_GROUP_PREFIX,
    description: "The projectors' Kafka consumer groups are <CDC_GROUP_PREFIX>-<projector>",
    schema: kafkaName,
  },
  cdcRegisterWaitMs: {
    env: 'STRANGLER_CDC_WAIT_MS',
    default: '30000',
    description: '`strangler cdc register`: how long to wait for the connector and its tasks to be RUNNING',
    schema: envSchemas.nonNegativeInt,
  },
});

export type CliConfig = ConfigValues<typeof cliConfig.spec> & {
  /** The slice manifests of SLICES_DIR. */
  slices: LoadedSlice[];
  /** Per projector (a manifest's `projector.name`): the base URL of its /ready and /metrics. */
  projectorUrls: Record<string, string>;
};

/** `<PROJECTOR>_PROJECTOR_URL` per slice manifest, defaulting to the projector's port on this machine. */
function projectorUrlKey(slice: LoadedSlice) {
  const { name, port } = slice.projector;
  return {
    projectorUrl: {
      env: `${sliceEnvPrefix(name)}_PROJECTOR_URL`,
      default: `http://127.0.0.1:${port.default}`,
      description: `Base URL of the ${name} projector's /ready and /metrics (the stack: 127.0.0.1:${port.setting})`,
      schema: baseUrl,
    },
  };
}

export function loadCliConfig(env: Env = process.env): CliConfig {
  const slices = loadSlicesOf(cliConfig.spec.slicesDir, env);
  const { values, perSlice } = loadConfigWithSlices(cliConfig.spec, slices, projectorUrlKey, env);
  const projectorUrls = Object.fromEntries(slices.map((slice) => [slice.projector.name, perSlice.get(slice.name)?.projectorUrl as string]));
  return { ...values, slices, projectorUrls };
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

/**
 * The MariaDB password file of Debezium's `cdc` account that `npm start` writes into the Connect worker's secrets
 * folder (stack/src/components/cdc.ts: writeConnectSecrets(connectInstance, 'mariadb-cdc', …)); the connector names
 * it, Connect reads it. The CLI only checks it is there: it never reads the password.
 */
export function cdcPasswordFile(config: Pick<CliConfig, 'stackDir'>): string {
  return join(config.stackDir, 'kafka-connect', 'secrets', 'mariadb-cdc.properties');
}
