import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defineConfig, envSchemas, type ConfigValues, type Env } from '@strangler/platform';
import { DEFAULT_SLICES_DIR, loadConfigWithSlices, loadSlicesOf, type LoadedSlice } from '@strangler/platform/slices';
import type { RestartPolicy } from './supervision/restart-policy.js';

/** The repository root (this file is <repo>/stack/src/config.ts); scripts and the default STACK_DIR hang off it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');

/** Every setting of the local launcher: env var, default, description. Nothing else in stack/ reads process.env. */
export const stackConfig = defineConfig({
  stackDir: {
    env: 'STACK_DIR',
    default: resolve(REPO_ROOT, '.stack'),
    description: 'Folder holding the data, logs, pid files and secrets of the local stack',
    schema: envSchemas.nonEmpty.transform((dir) => resolve(dir)),
  },
  mariadbPort: { env: 'MARIADB_PORT', default: '3307', description: 'TCP port of the private MariaDB', schema: envSchemas.port },
  legacyPort: { env: 'LEGACY_PORT', default: '3000', description: 'HTTP port of the legacy monolith', schema: envSchemas.port },
  postgresPort: { env: 'POSTGRES_PORT', default: '5433', description: 'TCP port of the private PostgreSQL 15 (Unleash\'s database)', schema: envSchemas.port },
  unleashPort: { env: 'UNLEASH_PORT', default: '4242', description: 'HTTP port of Unleash (feature flags: admin UI and APIs)', schema: envSchemas.port },
  unleashLogLevel: {
    env: 'UNLEASH_LOG_LEVEL',
    default: 'warn',
    description: 'Log level of Unleash',
    schema: z.enum(['debug', 'info', 'warn', 'error', 'fatal']),
  },
  slicesDir: {
    env: 'SLICES_DIR',
    default: DEFAULT_SLICES_DIR,
    description: 'Folder of the slice manifests (<slice>.json): each one adds its service, projector, database and flag to the stack',
    schema: envSchemas.nonEmpty.transform((dir) => resolve(dir)),
  },
  nginxPort: { env: 'NGINX_PORT', default: '8080', description: 'HTTP port of the nginx front door (127.0.0.1 only)', schema: envSchemas.port },
  edgePort: { env: 'EDGE_PORT', default: '8000', description: 'HTTP port of the edge proxy, the primary upstream of the nginx front door', schema: envSchemas.port },
  edgeAdminPort: { env: 'EDGE_ADMIN_PORT', default: '8001', description: "The edge's admin listener: /health, /ready, /metrics", schema: envSchemas.port },
  edgeFlagRefreshMs: {
    env: 'EDGE_FLAG_REFRESH_MS',
    default: '1000',
    description: 'How often the edge polls Unleash for flag changes (a rollout or kill takes effect within it)',
    schema: envSchemas.positiveInt,
  },
  kafkaPort: { env: 'KAFKA_PORT', default: '9092', description: 'Kafka broker port (KRaft, single node; CDC change events)', schema: envSchemas.port },
  kafkaControllerPort: { env: 'KAFKA_CONTROLLER_PORT', default: '9093', description: "Kafka's KRaft controller port (internal to the broker)", schema: envSchemas.port },
  connectPort: { env: 'CONNECT_PORT', default: '8083', description: 'Kafka Connect REST API (Debezium runs inside the worker)', schema: envSchemas.port },
  jvmHeap: {
    env: 'STACK_JVM_HEAP',
    default: '512m',
    description: 'Maximum heap (-Xmx) of each JVM the stack runs (Kafka broker, Kafka Connect)',
    schema: z.string().regex(/^[1-9][0-9]*[mg]$/, 'a size such as 512m or 1g'),
  },
  cdcJarsDir: {
    env: 'CDC_JARS_DIR',
    default: '',
    description: 'Where Maven puts the Kafka/Connect classpath and the Debezium plugin (default <STACK_DIR>/cdc-jars)',
    schema: z.string().transform((dir) => (dir === '' ? undefined : resolve(dir))),
  },
  serviceLogLevel: { env: 'STACK_LOG_LEVEL', default: 'info', description: 'LOG_LEVEL passed to every service the stack runs', schema: envSchemas.logLevel },
  seedUsers: { env: 'STACK_SEED_USERS', default: '1000', description: 'Users seeded on the first start', schema: envSchemas.positiveInt },
  seedProducts: { env: 'STACK_SEED_PRODUCTS', default: '200', description: 'Products seeded on the first start', schema: envSchemas.positiveInt },
  seedOrders: { env: 'STACK_SEED_ORDERS', default: '2000', description: 'Orders seeded on the first start', schema: envSchemas.positiveInt },
  healthTimeoutMs: {
    env: 'STACK_HEALTH_TIMEOUT_MS',
    default: '60000',
    description: 'How long a started process may take to pass its health check',
    schema: envSchemas.positiveInt,
  },
  setupTimeoutMs: {
    env: 'STACK_SETUP_TIMEOUT_MS',
    default: '900000',
    description: 'How long a setup step (migrations, seeding) may run',
    schema: envSchemas.positiveInt,
  },
  stopGraceMs: {
    env: 'STACK_STOP_GRACE_MS',
    default: '15000',
    description: 'How long a service gets to exit after SIGTERM before SIGKILL (MariaDB always gets 60 s)',
    schema: envSchemas.positiveInt,
  },
  restartLimitBurst: {
    env: 'STACK_RESTART_LIMIT_BURST',
    default: '5',
    description:
      'Restarts of a crashed component allowed within STACK_RESTART_LIMIT_WINDOW_MS; one more failure there is a crash loop and stops the stack (0: never restart)',
    schema: envSchemas.nonNegativeInt,
  },
  restartLimitWindowMs: {
    env: 'STACK_RESTART_LIMIT_WINDOW_MS',
    default: '60000',
    description: 'The window STACK_RESTART_LIMIT_BURST counts failures in (a crash, or a restart that did not get healthy)',
    schema: envSchemas.positiveInt,
  },
  restartDelayMs: {
    env: 'STACK_RESTART_DELAY_MS',
    default: '250',
    description: 'Back-off before restarting a crashed component; doubles with each further failure, up to STACK_RESTART_MAX_DELAY_MS',
    schema: envSchemas.nonNegativeInt,
  },
  restartMaxDelayMs: {
    env: 'STACK_RESTART_MAX_DELAY_MS',
    default: '10000',
    description: 'Longest back-off between restarts of a crashed component',
    schema: envSchemas.nonNegativeInt,
  },
  restartResetAfterMs: {
    env: 'STACK_RESTART_RESET_AFTER_MS',
    default: '10000',
    description: 'A component healthy this long before it crashes is restarted after STACK_RESTART_DELAY_MS again (the back-off starts over)',
    schema: envSchemas.positiveInt,
  },
  noColor: {
    env: 'NO_COLOR',
    default: '',
    description: 'Any non-empty value turns off colours (https://no-color.org)',
    schema: z.string().transform((value) => value !== ''),
  },
});

/** A slice as the stack runs it: its manifest and the ports it got (each manifest names the setting and default). */
export interface StackSlice {
  manifest: LoadedSlice;
  servicePort: number;
  projectorPort: number;
}

export type StackConfig = ConfigValues<typeof stackConfig.spec> & { slices: StackSlice[] };

function slicePortKeys(slice: LoadedSlice) {
  const key = (port: LoadedSlice['service']['port'], what: string) => ({
    env: port.setting,
    default: String(port.default),
    description: `${what} of the ${slice.name} slice (${slice.file})`,
    schema: envSchemas.port,
  });
  return { servicePort: key(slice.service.port, `HTTP port of ${slice.service.name}`), projectorPort: key(slice.projector.port, `/health, /ready and /metrics port of the ${slice.projector.name} projector`) };
}

export function loadStackConfig(env: Env = process.env): StackConfig {
  const manifests = loadSlicesOf(stackConfig.spec.slicesDir, env);
  const { values, perSlice } = loadConfigWithSlices(stackConfig.spec, manifests, slicePortKeys, env);
  const slices = manifests.map((manifest) => {
    const ports = perSlice.get(manifest.name);
    return { manifest, servicePort: ports?.servicePort as number, projectorPort: ports?.projectorPort as number };
  });
  return { ...values, slices };
}

/** Every setting, the slices' own ports included: what `config` lists. */
export function describeStackConfig(env: Env = process.env): Array<{ env: string; default: string; description: string }> {
  const rows = stackConfig.describe();
  try {
    const manifests = loadSlicesOf(stackConfig.spec.slicesDir, env);
    return [...rows, ...manifests.flatMap((slice) => Object.values(slicePortKeys(slice)).map((key) => ({ env: key.env, default: key.default, description: key.description })))];
  } catch {
    return rows;
  }
}

/**
 * The part of the launcher's environment its children inherit; everything else they get is set explicitly,
 * so a stray DB_PASSWORD or PORT in the shell cannot leak into a service.
 */
const INHERITED = ['PATH', 'HOME', 'USER', 'LOGNAME', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TMPDIR', 'TZ'];

export function inheritedEnv(env: Env = process.env): Record<string, string> {
  return Object.fromEntries(INHERITED.flatMap((key) => (env[key] === undefined ? [] : [[key, env[key]]])));
}

/** The slice of that name, which the components were built from. */
export function stackSlice(config: Pick<StackConfig, 'slices'>, name: string): StackSlice {
  const slice = config.slices.find((candidate) => candidate.manifest.name === name);
  if (!slice) throw new Error(`no slice "${name}" in the stack's slice manifests`);
  return slice;
}

/** The supervisor's restart policy, from the STACK_RESTART_* settings. */
export function restartPolicyOf(config: Pick<StackConfig, 'restartLimitBurst' | 'restartLimitWindowMs' | 'restartDelayMs' | 'restartMaxDelayMs' | 'restartResetAfterMs'>): RestartPolicy {
  return {
    burst: config.restartLimitBurst,
    windowMs: config.restartLimitWindowMs,
    initialDelayMs: config.restartDelayMs,
    maxDelayMs: Math.max(config.restartDelayMs, config.restartMaxDelayMs),
    resetAfterMs: config.restartResetAfterMs,
  };
}
