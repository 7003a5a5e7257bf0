// Initial snapshot: a fresh legacy database with N users, a new connector (fresh topic prefix), a fresh projector and
// target, timed from registration until the target holds every row; and two baselines on the same data.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import type { BenchKafka, BenchMariaDb, Cleanup } from './infra.js';
import { createLegacyDatabase, createUsersDatabase, registerConnector, startUsersProjector } from './infra.js';

export interface SnapshotFigures {
  users: number;
  seedMs: number;
  /** PUT of the connector → connector and task RUNNING. */
  registerMs: number;
  /** Registration → the users topic holds all N snapshot records (Debezium's part). */
  inKafkaMs: number;
  /** Registration → the target holds all N rows: the figure. */
  totalMs: number;
  rowsPerSecond: number;
  /** First row in the target → last: how fast the projector applied once records flowed. */
  applyWindowMs: number;
  applyRowsPerSecond: number;
  baselines: {
    /** A plain kafkajs consumer (own group, JSON.parse of each value) reading the same N records, first → last record. */
    rawConsume: { ms: number; rowsPerSecond: number; withGroupJoinMs: number };
    /** One INSERT…SELECT of the N users into an empty accounts table of another database on the same server. */
    insertSelect: { ms: number; rowsPerSecond: number };
  };
}

async function countRows(db: mysql.Connection): Promise<number> {
  const [rows] = await db.query('SELECT COUNT(*) AS n FROM accounts');
  return Number((rows as Array<{ n: number }>)[0]?.n ?? 0);
}

export async function measureSnapshot(options: {
  users: number;
  mariadb: BenchMariaDb;
  kafka: BenchKafka;
  cleanup: Cleanup;
  logDir: string;
  signal: AbortSignal;
  log(line: string): void;
  status(line: string): void;
}): Promise<SnapshotFigures> {
  const { users, mariadb, kafka, cleanup, logDir, signal, log, status } = options;
  const connection = { host: mariadb.host, port: mariadb.port, user: mariadb.user, password: mariadb.password };
  const source = 'legacy_snap';
  const target = 'users_snap';
  const topicPrefix = `snap${randomBytes(3).toString('hex')}`;

  status(`seeding ${users} users into ${source}`);
  const seedStarted = performance.now();
  await createLegacyDatabase(mariadb, source, users, logDir, signal);
  const seedMs = performance.now() - seedStarted;
  log(`seeded ${users} users in ${(seedMs / 1000).toFixed(1)} s (legacy's seed CLI)`);
  await createUsersDatabase(mariadb, target, logDir, signal);
  // Started before the connector, so its own start-up (tsx, group join) is not in the figure.
  const projector = await startUsersProjector({ kafka, mariadb, topicPrefix, sourceDatabase: source, targetDatabase: target, logDir }, cleanup);
  const db = await mysql.createConnection({ ...connection, database: target });
  const admin = new Kafka({ brokers: kafka.brokers, clientId: 'cdc-bench-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topic = `${topicPrefix}.${source}.users`;
    const registered = performance.now();
    const connector = await registerConnector(kafka, mariadb, source, topicPrefix, cleanup);
    const registerMs = performance.now() - registered;
    let inKafkaMs: number | undefined;
    let firstRowMs: number | undefined;
    let totalMs: number | undefined;
    const deadline = registered + Math.max(600_000, users * 20);
    while (totalMs === undefined) {
      signal.throwIfAborted();
      const at = performance.now();
      if (at > deadline) throw new Error(`snapshot not complete after ${((at - registered) / 1000).toFixed(0)} s; see ${projector.logFile}`);
      const [count, offsets] = await Promise.all([countRows(db), inKafkaMs === undefined ? admin.fetchTopicOffsets(topic).catch(() => []) : Promise.resolve([])]);
      const seenAt = performance.now();
      const inTopic = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
      if (inKafkaMs === undefined && inTopic >= users) inKafkaMs = seenAt - registered;
      if (firstRowMs === undefined && count > 0) firstRowMs = seenAt - registered;
      if (count >= users) totalMs = seenAt - registered;
      status(
        `snapshot ${((seenAt - registered) / 1000).toFixed(1)} s: ${inKafkaMs === undefined ? `${inTopic} in Kafka` : `all in Kafka after ${(inKafkaMs / 1000).toFixed(1)} s`}, ` +
          `${count}/${users} in ${target}`,
      );
      await sleep(100);
    }
    const applyWindowMs = totalMs - (firstRowMs ?? 0);
    log(`snapshot of ${users} users: ${(totalMs / 1000).toFixed(1)} s from registration to the last row in ${target}`);
    await projector.stop();
    await connector.remove();

    status('baseline: raw kafkajs consume of the same topic');
    const rawConsume = await rawConsumeRate(kafka.brokers, topic, users, signal);
    log(`baseline raw consume: ${users} records in ${(rawConsume.ms / 1000).toFixed(2)} s`);

    status('baseline: INSERT…SELECT copy');
    await createUsersDatabase(mariadb, 'users_copy', logDir, signal);
    const copy = await mysql.createConnection({ ...connection, database: 'users_copy' });
    let insertSelectMs: number;
    try {
      const started = performance.now();
      await copy.query(
        `INSERT INTO accounts (id, legacy_id, email, email_normalized, display_name, status, password_hash, version, created_at, updated_at)
         SELECT id, id, email, LOWER(TRIM(email)), full_name, status, password_hash, 1, created_at, updated_at FROM \`${source}\`.users`,
      );
      insertSelectMs = performance.now() - started;
    } finally {
      await copy.end();
    }
    log(`baseline INSERT…SELECT: ${users} rows in ${(insertSelectMs / 1000).toFixed(2)} s`);

    return {
      users,
      seedMs,
      registerMs,
      inKafkaMs: inKafkaMs ?? totalMs,
      totalMs,
      rowsPerSecond: users / (totalMs / 1000),
      applyWindowMs,
      applyRowsPerSecond: users / (Math.max(1, applyWindowMs) / 1000),
      baselines: {
        rawConsume: { ...rawConsume, rowsPerSecond: users / (Math.max(1, rawConsume.ms) / 1000) },
        insertSelect: { ms: insertSelectMs, rowsPerSecond: users / (Math.max(1, insertSelectMs) / 1000) },
      },
    };
  } finally {
    await admin.disconnect();
    await db.end();
  }
}

/** Reads `expected` records of a topic from the beginning with a fresh group, parsing each value as the projector does. */
async function rawConsumeRate(brokers: string[], topic: string, expected: number, signal: AbortSignal): Promise<{ ms: number; withGroupJoinMs: number }> {
  const kafka = new Kafka({ brokers, clientId: 'cdc-bench-raw', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `cdc-bench-raw-${randomBytes(4).toString('hex')}` });
  const started = performance.now();
  let first: number | undefined;
  let last = 0;
  let records = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        first ??= performance.now();
        for (const message of batch.messages) {
          if (message.value) JSON.parse(message.value.toString('utf8'));
          records++;
        }
        if (records >= expected) {
          last = performance.now();
          done();
        }
      },
    });
    const timer = new AbortController();
    const outcome = await Promise.race([
      finished.then(() => 'done' as const),
      sleep(300_000, 'timeout' as const, { signal: AbortSignal.any([signal, timer.signal]) }).catch(() => 'aborted' as const),
    ]);
    timer.abort();
    if (outcome !== 'done') throw new Error(`raw consume ${outcome}: ${records}/${expected} records`);
  } finally {
    await consumer.disconnect();
  }
  return { ms: last - (first ?? last), withGroupJoinMs: last - started };
}
