import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnManaged, stopFromPidFile, type ManagedProcess } from '../processes.js';
import type { CdcJars } from './cdc-jars.js';
import { javaCommand, jvmArgs, log4jProperties } from './kafka.js';

/** A Kafka Connect distributed worker (one member), its REST API on 127.0.0.1. */
export interface ConnectInstance {
  home: string;
  port: number;
  /** host:port of the Kafka broker it stores its configs, offsets and status in. */
  bootstrap: string;
  jars: CdcJars;
  heap: string;
  /**
   * The Connect cluster this worker joins; its configs, offsets and status live in topics named after it, so two
   * clusters can share one broker (tests run a private one they may kill).
   */
  groupId?: string;
  /** Default <home>/secrets. */
  secretsDir?: string;
  env?: NodeJS.ProcessEnv;
  detached?: boolean;
}

export function connectPaths(instance: Pick<ConnectInstance, 'home' | 'secretsDir'>) {
  return {
    configFile: join(instance.home, 'connect-distributed.properties'),
    log4jFile: join(instance.home, 'log4j.properties'),
    /** Secrets the connectors reference as ${file:<path>:<key>}, so the REST API never shows them. */
    secretsDir: instance.secretsDir ?? join(instance.home, 'secrets'),
    pidFile: join(instance.home, 'connect.pid'),
    logFile: join(instance.home, 'connect.log'),
  };
}

export function connectUrl(instance: Pick<ConnectInstance, 'port'>): string {
  return `http://127.0.0.1:${instance.port}`;
}

function workerProperties(instance: ConnectInstance): string {
  const group = instance.groupId ?? 'strangler-connect';
  const settings: Record<string, string | number> = {
    'bootstrap.servers': instance.bootstrap,
    'group.id': group,
    // Record keys and values as plain JSON (no embedded schema): what the projectors and the message pacts read.
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter.schemas.enable': 'false',
    'config.storage.topic': `${group}.configs`,
    'offset.storage.topic': `${group}.offsets`,
    'status.storage.topic': `${group}.status`,
    'config.storage.replication.factor': 1,
    'offset.storage.replication.factor': 1,
    'status.storage.replication.factor': 1,
    // Source offsets (binlog positions) are flushed every second: after a crash at most a second of changes is
    // re-sent, which the projectors' stored positions turn into no-ops.
    'offset.flush.interval.ms': 1_000,
    // One worker: when it loses its group membership (the broker restarted, or the worker itself did), its old
    // assignments are "lost" and the default holds them back for up to 5 minutes, waiting for that member to return;
    // it never does, so the connector would stay UNASSIGNED. 0 reassigns them at once (KAFKA-15693, Kafka 3.7+).
    'scheduled.rebalance.max.delay.ms': 0,
    listeners: `http://127.0.0.1:${instance.port}`,
    'rest.advertised.host.name': '127.0.0.1',
    'rest.advertised.port': instance.port,
    'plugin.path': instance.jars.pluginPath,
    // Debezium 3.2's jars carry no ServiceLoader manifests for Connect's fast discovery: scan them.
    'plugin.discovery': 'only_scan',
    'config.providers': 'file',
    'config.providers.file.class': 'org.apache.kafka.common.config.provider.FileConfigProvider',
    // Only paths under the secrets folder may be read through ${file:…}.
    'config.providers.file.param.allowed.paths': connectPaths(instance).secretsDir,
  };
  return `${Object.entries(settings).map(([key, value]) => `${key}=${value}`).join('\n')}\n`;
}

export function prepareConnect(instance: ConnectInstance): void {
  const paths = connectPaths(instance);
  mkdirSync(paths.secretsDir, { recursive: true, mode: 0o700 });
  writeFileSync(paths.configFile, workerProperties(instance));
  writeFileSync(paths.log4jFile, log4jProperties(['org.apache.kafka', 'org.reflections', 'org.eclipse.jetty', 'io.debezium.connector.binlog.BinlogSourceTask']));
}

/**
 * Writes a properties file of secrets under the worker's secrets folder (0600) and returns the path a connector
 * config names in `${file:<path>:<key>}`.
 */
/** Where the worker's file config provider finds the secrets `name` (what a connector config's `${file:…}` names). */
export function connectSecretsPath(instance: Pick<ConnectInstance, 'home' | 'secretsDir'>, name: string): string {
  return join(connectPaths(instance).secretsDir, `${name}.properties`);
}

export function writeConnectSecrets(instance: Pick<ConnectInstance, 'home' | 'secretsDir'>, name: string, values: Record<string, string>): string {
  const file = connectSecretsPath(instance, name);
  mkdirSync(connectPaths(instance).secretsDir, { recursive: true, mode: 0o700 });
  // Properties escaping: backslash, and the separators a generated password never contains but a user's might.
  const escape = (value: string) => value.replace(/\\/g, '\\\\').replace(/([=:#!])/g, '\\$1');
  writeFileSync(file, `${Object.entries(values).map(([key, value]) => `${key}=${escape(value)}`).join('\n')}\n`, { mode: 0o600 });
  return file;
}

export function stopLeftoverConnect(instance: Pick<ConnectInstance, 'home'>): Promise<boolean> {
  return stopFromPidFile(connectPaths(instance).pidFile, 60_000, connectPaths(instance).configFile);
}

export async function spawnConnect(instance: ConnectInstance): Promise<ManagedProcess> {
  const paths = connectPaths(instance);
  await stopLeftoverConnect(instance);
  return spawnManaged({
    name: 'kafka-connect',
    command: javaCommand(),
    args: [
      ...jvmArgs(instance.heap, paths.log4jFile),
      '-cp',
      join(instance.jars.runtimeDir, '*'),
      'org.apache.kafka.connect.cli.ConnectDistributed',
      paths.configFile,
    ],
    logFile: paths.logFile,
    pidFile: paths.pidFile,
    env: instance.env,
    detached: instance.detached,
  });
}

/** Healthy = the REST API answers and the Debezium MariaDB connector plugin is loaded. */
export async function isConnectReady(instance: Pick<ConnectInstance, 'port'>): Promise<boolean> {
  const response = await fetch(`${connectUrl(instance)}/connector-plugins`, { signal: AbortSignal.timeout(2_000) });
  if (response.status !== 200) return false;
  const plugins = (await response.json()) as Array<{ class: string }>;
  return plugins.some((plugin) => plugin.class === 'io.debezium.connector.mariadb.MariaDbConnector');
}
