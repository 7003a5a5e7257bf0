import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadSlices, type SliceManifest } from '@strangler/platform/slices';
import type { ConnectorConfig } from './connect-client.js';
import { projectedTables } from './pipeline-names.js';

/** The connector file in the repo (cdc/connectors/legacy.json): everything but where and as whom to connect. */
export const LEGACY_CONNECTOR_FILE = fileURLToPath(new URL('../../connectors/legacy.json', import.meta.url));
export const LEGACY_CONNECTOR_NAME = 'legacy';

/** The monolith's tables the slices cover (each manifest's `tables[].legacy`), once each: what Debezium captures. */
export function capturedTables(slices: readonly Pick<SliceManifest, 'tables'>[]): string[] {
  return [...new Set(slices.flatMap(projectedTables))];
}

export interface LegacyConnectorSettings {
  mariadb: { host: string; port: number; user?: string };
  /** How the worker finds the password: a `${file:<path>:<key>}` reference, never the password itself. */
  passwordReference: string;
  kafkaBootstrap: string;
  /**
   * For tests and side-by-side pipelines: capture another database under another topic prefix. The connector's
   * include lists, schema-history topic and server id follow.
   */
  database?: string;
  topicPrefix?: string;
  serverId?: number;
  /** The tables to capture; default: those of the repository's slice manifests. */
  tables?: readonly string[];
  /** Extra or replaced settings (tests: snapshot mode, heartbeat). */
  overrides?: ConnectorConfig;
}

/** Settings the file must hold: the registration derives the test/side-by-side variants from them. */
const REQUIRED_KEYS = ['connector.class', 'database.user', 'topic.prefix', 'database.include.list', 'table.include.list'] as const;
type RequiredKey = (typeof REQUIRED_KEYS)[number];

export function readConnectorFile(file = LEGACY_CONNECTOR_FILE): ConnectorConfig & Record<RequiredKey, string> {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${file}: expected a JSON object of connector settings`);
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== 'string') throw new Error(`${file}: "${key}" must be a string (Kafka Connect configs are strings)`);
  }
  const missing = REQUIRED_KEYS.filter((key) => !(key in parsed));
  if (missing.length > 0) throw new Error(`${file}: missing ${missing.map((key) => `"${key}"`).join(', ')}`);
  return parsed as ConnectorConfig & Record<RequiredKey, string>;
}

/**
 * The config to PUT: the repo's file with the stack's connection settings filled in. The file itself names the
 * `legacy` database; another database (tests) is substituted in the include lists and the schema-history topic.
 */
export function legacyConnectorConfig(settings: LegacyConnectorSettings, file = LEGACY_CONNECTOR_FILE): ConnectorConfig {
  const base = readConnectorFile(file);
  const sourceDatabase = base['database.include.list'];
  const database = settings.database ?? sourceDatabase;
  const topicPrefix = settings.topicPrefix ?? base['topic.prefix'];
  const config: ConnectorConfig = {
    ...base,
    'database.hostname': settings.mariadb.host,
    'database.port': String(settings.mariadb.port),
    'database.user': settings.mariadb.user ?? base['database.user'],
    'database.password': settings.passwordReference,
    'schema.history.internal.kafka.bootstrap.servers': settings.kafkaBootstrap,
    'topic.prefix': topicPrefix,
    'database.include.list': database,
    'table.include.list': (settings.tables ?? capturedTables(loadSlices())).map((table) => `${database}.${table}`).join(','),
    'schema.history.internal.kafka.topic': `${topicPrefix}.schema-history`,
    ...(settings.serverId === undefined ? {} : { 'database.server.id': String(settings.serverId) }),
    ...settings.overrides,
  };
  return config;
}

/** The topic Debezium writes a table's changes to. */
export function changeTopic(topicPrefix: string, database: string, table: string): string {
  return `${topicPrefix}.${database}.${table}`;
}
