import { z } from 'zod';
import { ConfigError, dbConfigKeys, defineConfig, envSchemas, type ConfigSpec, type ConfigValues, type Env } from '@strangler/platform';
import { DEFAULT_SLICES_DIR, loadSlicesOf, type LoadedSlice } from '@strangler/platform/slices';
import { deadLetterTopic, defaultConsumerGroup } from './connect/pipeline-names.js';

/** Where the slice manifests are: each names its projector, the service database it writes to and its port. */
const slicesDirKey = {
  slicesDir: {
    env: 'SLICES_DIR',
    default: DEFAULT_SLICES_DIR,
    description: 'Folder of the slice manifests (<slice>.json); PROJECTOR is one of their projectors',
    schema: envSchemas.nonEmpty,
  },
} satisfies ConfigSpec;

function projectorKey(slices: readonly LoadedSlice[]) {
  const names = slices.map((slice) => slice.projector.name) as [string, ...string[]];
  return {
    projector: {
      env: 'PROJECTOR',
      description: `Which projector this process runs: ${names.join(' | ')}`,
      schema: z.enum(names),
    },
  } satisfies ConfigSpec;
}

const brokerList = z
  .string()
  .transform((list) => list.split(',').map((broker) => broker.trim()).filter((broker) => broker !== ''))
  .pipe(z.array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'each broker must be host:port')).min(1, 'at least one broker'));

/** Empty means "derive it from PROJECTOR": the key still has a default and a description, like every other. */
const optionalName = z.string().trim();

/** The projector's keys, with the defaults its slice manifest gives: target database and port. */
function cdcSpec(slices: readonly LoadedSlice[], slice: LoadedSlice) {
  const defaults = { database: slice.service.database, port: slice.projector.port.default };
  return {
    ...projectorKey(slices),
    kafkaBrokers: {
      env: 'KAFKA_BROKERS',
      default: '127.0.0.1:9092',
      description: 'Comma-separated Kafka bootstrap brokers (host:port)',
      schema: brokerList,
    },
    kafkaClientId: {
      env: 'KAFKA_CLIENT_ID',
      default: '',
      description: 'Kafka client id (empty: strangler-projector-<PROJECTOR>)',
      schema: optionalName,
    },
    topicPrefix: {
      env: 'TOPIC_PREFIX',
      default: 'legacy',
      description: "Debezium's topic.prefix: change topics are <TOPIC_PREFIX>.<SOURCE_DATABASE>.<table>",
      schema: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, underscore or dash'),
    },
    sourceDatabase: {
      env: 'SOURCE_DATABASE',
      default: 'legacy',
      description: "The monolith's database captured by Debezium",
      schema: z.string().regex(/^[A-Za-z0-9_]+$/, 'letters, digits or underscore'),
    },
    consumerGroup: {
      env: 'CONSUMER_GROUP',
      default: '',
      description: 'Kafka consumer group, also the key of the applied positions (empty: strangler-projector-<PROJECTOR>)',
      schema: optionalName,
    },
    deadLetterTopic: {
      env: 'DEAD_LETTER_TOPIC',
      default: '',
      description: 'Where records that cannot be applied go (empty: <TOPIC_PREFIX>.dead-letter.<PROJECTOR>)',
      schema: optionalName,
    },
    maxRecordsPerTransaction: {
      env: 'MAX_RECORDS_PER_TRANSACTION',
      default: '500',
      description: 'A fetched batch is applied in database transactions of at most this many records',
      schema: envSchemas.positiveInt,
    },
    maxBytesPerPartition: {
      env: 'FETCH_MAX_BYTES_PER_PARTITION',
      default: '1048576',
      description: 'Largest amount of data one fetch returns per partition (bytes)',
      schema: envSchemas.positiveInt,
    },
    retryInitialMs: {
      env: 'RETRY_INITIAL_MS',
      default: '200',
      description: 'First back-off after a transient failure (database unreachable, deadlock); doubles up to RETRY_MAX_MS',
      schema: envSchemas.positiveInt,
    },
    retryMaxMs: {
      env: 'RETRY_MAX_MS',
      default: '30000',
      description: 'Longest back-off between retries of a failed batch (it is retried until it succeeds)',
      schema: envSchemas.positiveInt,
    },
    progressIntervalMs: {
      env: 'PROGRESS_INTERVAL_MS',
      default: '5000',
      description: 'How often a progress line (records applied per second, lag) is logged while records flow',
      schema: envSchemas.positiveInt,
    },
    sessionTimeoutMs: {
      env: 'CONSUMER_SESSION_TIMEOUT_MS',
      default: '10000',
      description: 'Consumer group session timeout: a member that died (kill -9, or with the broker) holds up the rejoin at most this long',
      schema: envSchemas.positiveInt,
    },
    kafkaProbeIntervalMs: {
      env: 'KAFKA_PROBE_INTERVAL_MS',
      default: '2000',
      description: 'How often the broker is asked whether it answers (/ready, /status and cdc_kafka_reachable follow it)',
      schema: envSchemas.positiveInt,
    },
    consumerRestartMaxMs: {
      env: 'CONSUMER_RESTART_MAX_MS',
      default: '5000',
      description: 'Longest wait between consumer restarts while Kafka is unreachable (from RETRY_INITIAL_MS, doubling)',
      schema: envSchemas.positiveInt,
    },
    host: { env: 'HOST', default: '127.0.0.1', description: 'Interface of the /health, /ready, /status, /metrics listener', schema: envSchemas.host },
    port: {
      env: 'PORT',
      default: String(defaults.port),
      description: `Port of the /health, /ready, /metrics listener (default: the slice manifest's projector port, ${slices.map((s) => `${s.projector.port.default} ${s.projector.name}`).join(', ')})`,
      schema: envSchemas.port,
    },
    logLevel: { env: 'LOG_LEVEL', default: 'info', description: 'pino log level', schema: envSchemas.logLevel },
    shutdownTimeoutMs: {
      env: 'SHUTDOWN_TIMEOUT_MS',
      default: '10000',
      description: 'How long SIGTERM waits for the HTTP listener to drain',
      schema: envSchemas.positiveInt,
    },
    // The target: the service's own database (default: its manifest's service.database, with the account of that name).
    ...dbConfigKeys({ database: defaults.database, user: defaults.database, port: 3307 }),
  } satisfies ConfigSpec;
}

type RawCdcConfig = ConfigValues<ReturnType<typeof cdcSpec>>;

export interface CdcConfig extends RawCdcConfig {
  kafkaClientId: string;
  consumerGroup: string;
  deadLetterTopic: string;
}

function projectorSlices(env: Env): LoadedSlice[] {
  return loadSlicesOf(slicesDirKey.slicesDir, env);
}

/** The keys (with the first slice's projector defaults) for docs and `--help`; `loadCdcConfig` picks the defaults by PROJECTOR. */
export const cdcConfig = {
  describe(env: Env = {}) {
    const slices = projectorSlices(env);
    return [...defineConfig(slicesDirKey).describe(), ...defineConfig(cdcSpec(slices, slices[0]!)).describe()];
  },
};

/**
 * Loads and validates the projector process's settings, failing fast with every problem at once. Defaults that
 * depend on the projector (target database, port, names) come from the slice manifest that names PROJECTOR.
 */
export function loadCdcConfig(env: Env = process.env): CdcConfig {
  const slices = projectorSlices(env);
  // Keep going with the first slice's defaults when PROJECTOR is wrong, so one run reports the other problems too.
  let slice = slices[0]!;
  const problems: string[] = [];
  try {
    const { projector } = defineConfig(projectorKey(slices)).load(env);
    slice = slices.find((candidate) => candidate.projector.name === projector) ?? slice;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  let raw: RawCdcConfig | undefined;
  try {
    raw = defineConfig(cdcSpec(slices, slice)).load(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) if (!problems.includes(problem)) problems.push(problem);
  }
  if (problems.length > 0 || !raw) throw new ConfigError(problems);
  if (raw.retryMaxMs < raw.retryInitialMs) {
    throw new ConfigError([`RETRY_MAX_MS=${raw.retryMaxMs} must not be below RETRY_INITIAL_MS=${raw.retryInitialMs}`]);
  }
  // kafkajs heartbeats every min(3 s, a third of the session); Kafka refuses sessions under 6 s by default.
  if (raw.sessionTimeoutMs < 6_000) {
    throw new ConfigError([`CONSUMER_SESSION_TIMEOUT_MS=${raw.sessionTimeoutMs} is below the broker's minimum (group.min.session.timeout.ms, 6000)`]);
  }
  const defaultName = defaultConsumerGroup(raw.projector);
  return {
    ...raw,
    kafkaClientId: raw.kafkaClientId || defaultName,
    consumerGroup: raw.consumerGroup || defaultName,
    deadLetterTopic: raw.deadLetterTopic || deadLetterTopic(raw.topicPrefix, raw.projector),
  };
}

/**
 * `node cdc/src/connect/register-cli.ts` (compose's `cdc-register`; the local stack registers through the launcher):
 * where Kafka Connect and the monolith's database are, seen from the Connect worker.
 */
export const registerConfig = defineConfig({
  connectUrl: { env: 'CONNECT_URL', default: 'http://127.0.0.1:8083', description: 'Kafka Connect REST API', schema: z.url({ protocol: /^https?$/ }) },
  dbHost: { env: 'CDC_DB_HOST', default: '127.0.0.1', description: "The monolith's MariaDB host, as the Connect worker reaches it", schema: envSchemas.nonEmpty },
  dbPort: { env: 'CDC_DB_PORT', default: '3307', description: "The monolith's MariaDB port, as the Connect worker reaches it", schema: envSchemas.port },
  dbUser: { env: 'CDC_DB_USER', default: 'cdc', description: "Debezium's replication account", schema: envSchemas.nonEmpty },
  passwordReference: {
    env: 'CDC_DB_PASSWORD_REFERENCE',
    default: '',
    description: "How the worker finds the password: a config-provider reference such as ${env:CDC_DB_PASSWORD}, never the password",
    schema: z.string().regex(/^\$\{[a-z]+:[^}]+\}$/, 'a config-provider reference such as ${env:CDC_DB_PASSWORD}'),
  },
  kafkaBrokers: { env: 'KAFKA_BROKERS', default: '127.0.0.1:9092', description: 'Kafka bootstrap servers for the schema-history topic, as the worker reaches them', schema: brokerList },
  slicesDir: { ...slicesDirKey.slicesDir, description: 'Folder of the slice manifests (<slice>.json): the connector captures the legacy tables they list' },
});

export function loadRegisterConfig(env: Env = process.env): ConfigValues<typeof registerConfig.spec> {
  return registerConfig.load(env);
}
