import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import { inject } from 'vitest';
import { ConnectClient, legacyConnectorConfig, waitUntilConnectorRunning, type ConnectorConfig, type ConnectorStatus } from '../connect/index.js';
import type {} from '@strangler/testkit/provided';

export interface TestConnector {
  name: string;
  /** Topics are `<topicPrefix>.<database>.<table>`. */
  topicPrefix: string;
  database: string;
  topic(table: string): string;
  status(): Promise<ConnectorStatus | undefined>;
  remove(): Promise<void>;
}

/**
 * Registers cdc/connectors/legacy.json (the file `npm start` registers) on the run's Kafka Connect, capturing
 * `database` (a test database holding legacy's schema) under a unique topic prefix, and waits until its initial
 * snapshot is over: a row written after this returns is streamed (op c/u/d), a row written before was read (op r).
 *
 * RUNNING says nothing about the snapshot, which starts on the task's own thread some time later: a write between
 * the two is read by the snapshot, not streamed. The end of the snapshot is the first heartbeat: Debezium
 * (RelationalSnapshotChangeEventSource, 3.x) forces one right after the snapshot's last row, whether or not any table
 * held rows, and otherwise beats only from the binlog reader, which starts after the snapshot. The snapshot reads in
 * a consistent-snapshot transaction opened under the global read lock at the binlog position it then streams from,
 * so a commit after the heartbeat is neither in the snapshot nor missed by the stream.
 */
export async function registerTestConnector(database: string, options: { overrides?: ConnectorConfig; connectUrl?: string } = {}): Promise<TestConnector> {
  const kafka = inject('kafka');
  const mariadb = inject('mariadb');
  const topicPrefix = `t${randomBytes(4).toString('hex')}`;
  const name = `legacy-${topicPrefix}`;
  const client = new ConnectClient(options.connectUrl ?? kafka.connectUrl);
  const config = legacyConnectorConfig({
    mariadb: { host: mariadb.host, port: mariadb.port, user: kafka.cdcAccount.user },
    passwordReference: kafka.cdcAccount.passwordReference,
    kafkaBootstrap: kafka.brokers.join(','),
    database,
    topicPrefix,
    // Each connector reads the binlog as its own replica: server ids must differ.
    serverId: randomInt(10_000, 2 ** 31 - 1),
    overrides: options.overrides,
  });
  const heartbeatIntervalMs = Number(config['heartbeat.interval.ms'] ?? 0);
  if (!(heartbeatIntervalMs > 0)) throw new Error('registerTestConnector: the end of the snapshot is its first heartbeat; keep heartbeat.interval.ms above 0');
  // `<topic.heartbeat.prefix>.<topic.prefix>`, created by the first heartbeat.
  const heartbeatTopic = `${config['topic.heartbeat.prefix'] ?? '__debezium-heartbeat'}.${topicPrefix}`;
  await client.putConnectorConfig(name, config);
  await waitUntilConnectorRunning(client, name, { intervalMs: 200, timeoutMs: 120_000 });
  await readTopic(heartbeatTopic, (records) => records.length >= 1, 120_000);
  return {
    name,
    topicPrefix,
    database,
    topic: (table) => `${topicPrefix}.${database}.${table}`,
    status: () => client.connectorStatus(name),
    async remove() {
      await client.deleteConnector(name);
    },
  };
}

export interface TopicRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The parsed JSON value; null for a tombstone. */
  value: unknown;
  raw: KafkaMessage;
}

/** Waits until a topic exists (Debezium creates its topics on the first change of a table). */
export async function waitForTopic(topic: string, timeoutMs = 30_000): Promise<void> {
  const admin = new Kafka({ brokers: inject('kafka').brokers, clientId: 'test-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > deadline) throw new Error(`topic ${topic} does not exist after ${timeoutMs} ms`);
      await sleep(100);
    }
  } finally {
    await admin.disconnect();
  }
}

/** Reads a topic from the beginning until `until` says enough (or the timeout passes, which throws). */
export async function readTopic(topic: string, until: (records: TopicRecord[]) => boolean, timeoutMs = 30_000): Promise<TopicRecord[]> {
  await waitForTopic(topic, timeoutMs);
  const kafka = new Kafka({ brokers: inject('kafka').brokers, clientId: 'test-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `test-reader-${randomBytes(6).toString('hex')}` });
  const records: TopicRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let resolveDone!: () => void;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    await consumer.run({
      eachMessage: async ({ topic: from, partition, message }) => {
        const text = message.value?.toString('utf8');
        records.push({ topic: from, partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value: text === undefined ? null : JSON.parse(text), raw: message });
        if (until(records)) resolveDone();
      },
    });
    const timer = new AbortController();
    const timedOut = sleep(timeoutMs, 'timeout' as const, { signal: timer.signal }).catch(() => 'cancelled' as const);
    const outcome = await Promise.race([done.then(() => 'done' as const), timedOut]);
    timer.abort();
    if (outcome !== 'done') throw new Error(`readTopic(${topic}): condition not met after ${timeoutMs} ms; got ${records.length} records`);
    return records;
  } finally {
    await consumer.disconnect();
  }
}
