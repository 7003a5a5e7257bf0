import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { runTask, spawnManaged, stopFromPidFile, type ManagedProcess } from '../processes.js';
import { requireExecutable } from '../prerequisites.js';
import { MAVEN_INSTALL_HINT, type CdcJars } from './cdc-jars.js';

/** A single-node Kafka in KRaft mode: broker and controller in one JVM, 127.0.0.1 only. */
export interface KafkaInstance {
  /** Folder holding data/, server.properties, log4j.properties, the pid file and logs. */
  home: string;
  port: number;
  controllerPort: number;
  jars: CdcJars;
  /** -Xmx of the JVM, e.g. 512m. */
  heap: string;
  env?: NodeJS.ProcessEnv;
  detached?: boolean;
}

export function kafkaPaths(instance: KafkaInstance) {
  return {
    dataDir: join(instance.home, 'data'),
    configFile: join(instance.home, 'server.properties'),
    log4jFile: join(instance.home, 'log4j.properties'),
    pidFile: join(instance.home, 'kafka.pid'),
    logFile: join(instance.home, 'kafka.log'),
  };
}

export function kafkaBootstrap(instance: Pick<KafkaInstance, 'port'>): string {
  return `127.0.0.1:${instance.port}`;
}

/**
 * log4j 1 (reload4j) configuration shared by the broker and the Connect worker: everything to stdout, which the
 * launcher appends to the component's log file; Kafka's own chatter at WARN.
 */
export function log4jProperties(quietLoggers: readonly string[]): string {
  return [
    'log4j.rootLogger=INFO, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    ...quietLoggers.map((logger) => `log4j.logger.${logger}=WARN`),
    '',
  ].join('\n');
}

function serverProperties(instance: KafkaInstance): string {
  const settings: Record<string, string | number> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${instance.controllerPort}`,
    listeners: `PLAINTEXT://127.0.0.1:${instance.port},CONTROLLER://127.0.0.1:${instance.controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${instance.port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': kafkaPaths(instance).dataDir,
    // One node: every internal topic has one replica.
    'offsets.topic.replication.factor': 1,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    // Debezium's topics are created on first use with one partition: one partition per table keeps every row's
    // changes in commit order, which the projectors rely on.
    'num.partitions': 1,
    'auto.create.topics.enable': 'true',
    // A consumer group that (re)joins starts at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms': 0,
    'log.retention.hours': 168,
  };
  return `${Object.entries(settings).map(([key, value]) => `${key}=${value}`).join('\n')}\n`;
}

export function javaCommand(): string {
  return requireExecutable(['java'], MAVEN_INSTALL_HINT);
}

/** JVM flags both processes share: bounded heap, no heap dumps into the repo, log4j config. */
export function jvmArgs(heap: string, log4jFile: string): string[] {
  return [`-Xmx${heap}`, '-Xms64m', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=20', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${log4jFile}`];
}

/** Writes the config files and formats the KRaft storage on first use; true when it was formatted now. */
export async function prepareKafka(instance: KafkaInstance): Promise<boolean> {
  const paths = kafkaPaths(instance);
  mkdirSync(instance.home, { recursive: true });
  writeFileSync(paths.configFile, serverProperties(instance));
  writeFileSync(paths.log4jFile, log4jProperties(['kafka', 'org.apache.kafka', 'state.change.logger']));
  if (existsSync(join(paths.dataDir, 'meta.properties'))) return false;
  await runTask({
    name: 'kafka-storage-format',
    command: javaCommand(),
    args: [
      ...jvmArgs('256m', paths.log4jFile),
      '-cp',
      join(instance.jars.runtimeDir, '*'),
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      kraftClusterId(),
      '--config',
      paths.configFile,
    ],
    logFile: paths.logFile,
    env: instance.env,
  });
  return true;
}

/**
 * A KRaft cluster id: 16 random bytes, base64url without padding (what `kafka-storage random-uuid` prints). Never
 * one starting with "-": the storage tool's argument parser would take it for an option.
 */
export function kraftClusterId(random: () => string = () => randomUUID()): string {
  for (;;) {
    const id = Buffer.from(random().replace(/-/g, ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

export function stopLeftoverKafka(instance: KafkaInstance): Promise<boolean> {
  return stopFromPidFile(kafkaPaths(instance).pidFile, 60_000, kafkaPaths(instance).configFile);
}

export async function spawnKafka(instance: KafkaInstance): Promise<ManagedProcess> {
  const paths = kafkaPaths(instance);
  await stopLeftoverKafka(instance);
  return spawnManaged({
    name: 'kafka',
    command: javaCommand(),
    args: [...jvmArgs(instance.heap, paths.log4jFile), `-Dkafka.logs.dir=${instance.home}`, '-cp', join(instance.jars.runtimeDir, '*'), 'kafka.Kafka', paths.configFile],
    logFile: paths.logFile,
    pidFile: paths.pidFile,
    env: instance.env,
    detached: instance.detached,
  });
}

/** Healthy = the broker answers a metadata request and names a controller (KRaft quorum up). */
export async function isKafkaReady(instance: Pick<KafkaInstance, 'port'>): Promise<boolean> {
  const admin = new Kafka({
    brokers: [kafkaBootstrap(instance)],
    clientId: 'strangler-launcher',
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1_000,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0 && cluster.controller !== null;
  } finally {
    await admin.disconnect();
  }
}
