import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger } from '@strangler/platform';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
// The service exports only its projection; its migrations are imported by path to build the target schema.
import { migrateToLatest } from '@strangler/users-service/migrations';
import type { Projector } from '../projectors/projector.js';
import { createUsersProjector } from '../projectors/users-projector.js';
import { debeziumEnvelope, kafkaRecord, legacyUser, T0 } from '../testing/debezium-records.js';
import { BatchApplier, type BatchControls, type RecordBatch } from './batch-applier.js';
import type { DeadLetter, DeadLetterBody, SourceRecord } from './dead-letters.js';
import { createCdcMetrics } from './metrics.js';
import { CDC_MIGRATIONS_TABLE, migrateCdcSchema } from '../schema.js';
import { KnexPositionStore, POSITIONS_TABLE } from './positions.js';

const TOPIC = 'legacy.legacy.users';
const GROUP = 'strangler-projector-users';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('cdc_applier');
  await migrateToLatest(t.db);
  await migrateCdcSchema(t.db);
});
afterAll(async () => {
  await t?.drop();
});
beforeEach(async () => {
  await t.db('accounts').truncate();
  await t.db(POSITIONS_TABLE).truncate();
});

function applierFor(projector: Projector = createUsersProjector(), group = GROUP) {
  const sent: DeadLetter[] = [];
  const applier = new BatchApplier({
    projector,
    positions: new KnexPositionStore(t.db, group),
    deadLetters: { send: async (letters) => void sent.push(...letters) },
    metrics: createCdcMetrics(new Registry()),
    logger: createLogger({ name: 'test', level: 'silent' }),
    sourceDatabase: 'legacy',
    topicTables: new Map([[TOPIC, 'users']]),
    maxRecordsPerTransaction: 100,
    retry: { initialMs: 1, maxMs: 5 },
  });
  return { applier, sent };
}

function controls(overrides: Partial<BatchControls> = {}): BatchControls {
  return {
    isRunning: () => true,
    isStale: () => false,
    resolveOffset: () => undefined,
    heartbeat: async () => undefined,
    commitOffset: async () => undefined,
    ...overrides,
  };
}

const batchOf = (messages: SourceRecord[]): RecordBatch => ({ topic: TOPIC, partition: 0, highWatermark: String(messages.length), messages });

/** Snapshot of two users, an update of one, a delete of the other with its tombstone, a new user. */
const stream = (): SourceRecord[] => [
  kafkaRecord(0, debeziumEnvelope('users', 'r', { after: legacyUser(1) }, { snapshot: 'first' })),
  kafkaRecord(1, debeziumEnvelope('users', 'r', { after: legacyUser(2) }, { snapshot: 'last' })),
  kafkaRecord(2, debeziumEnvelope('users', 'u', { before: legacyUser(1), after: legacyUser(1, { full_name: 'One', updated_at: T0 + 10 }) })),
  kafkaRecord(3, debeziumEnvelope('users', 'd', { before: legacyUser(2) })),
  kafkaRecord(4, null, { id: 2 }),
  kafkaRecord(5, debeziumEnvelope('users', 'c', { after: legacyUser(3) })),
];

const accounts = async () => (await t.db('accounts').select('id', 'display_name', 'version', 'updated_at').orderBy('id')) as Array<Record<string, unknown>>;
const storedOffset = async (group = GROUP) => (await t.db(POSITIONS_TABLE).where({ consumer_group: group, topic: TOPIC, partition: 0 }).first())?.offset;

describe('BatchApplier on MariaDB', () => {
  it('creates its tables with its own migrations table, idempotently, next to the service schema', async () => {
    await migrateCdcSchema(t.db);
    expect(await t.db(CDC_MIGRATIONS_TABLE).orderBy('id').pluck('name')).toEqual(['001-create-cdc-applied-positions', '002-create-cdc-deleted-keys']);
    expect(await t.db('knex_migrations').orderBy('id').pluck('name')).toEqual(['001-create-accounts']);
  });

  it('applies a batch; applying it again is a no-op (versions and position unchanged)', async () => {
    const first = applierFor();
    await first.applier.applyBatch(batchOf(stream()), controls());
    const expected = [
      { id: 1, display_name: 'One', version: 2, updated_at: new Date(T0 + 10) },
      { id: 3, display_name: 'User 3', version: 1, updated_at: new Date(T0) },
    ];
    expect(await accounts()).toEqual(expected);
    expect(await storedOffset()).toBe(5);
    expect(first.applier.totals).toEqual({ applied: 6, replayed: 0, failed: 0 });

    // A redelivery, e.g. after a crash between the database commit and the Kafka offset commit, by a new process.
    const again = applierFor();
    await again.applier.applyBatch(batchOf(stream()), controls());
    expect(await accounts()).toEqual(expected);
    expect(await storedOffset()).toBe(5);
    expect(again.applier.totals).toEqual({ applied: 0, replayed: 6, failed: 0 });
    expect(await new KnexPositionStore(t.db, GROUP).appliedOffsets([TOPIC, 'other'])).toEqual(new Map([[`${TOPIC}:0`, 5]]));
  });

  it('positions are per consumer group', async () => {
    await applierFor(createUsersProjector(), 'group-a').applier.applyBatch(batchOf(stream().slice(0, 2)), controls());
    expect(await storedOffset('group-a')).toBe(1);
    expect(await storedOffset('group-b')).toBeUndefined();
  });

  it('a crash mid-transaction leaves nothing partially applied; the restarted applier applies everything exactly once', async () => {
    const real = createUsersProjector();
    let running = true;
    const crashing: Projector = {
      ...real,
      async apply(db, change) {
        const outcome = await real.apply(db, change);
        if (change.position.offset === 2) {
          running = false; // the process is going down
          throw Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' });
        }
        return outcome;
      },
    };
    await applierFor(crashing).applier.applyBatch(batchOf(stream()), controls({ isRunning: () => running }));
    expect(await accounts()).toEqual([]);
    expect(await storedOffset()).toBeUndefined();

    await applierFor().applier.applyBatch(batchOf(stream()), controls());
    expect(await accounts()).toEqual([
      { id: 1, display_name: 'One', version: 2, updated_at: new Date(T0 + 10) },
      { id: 3, display_name: 'User 3', version: 1, updated_at: new Date(T0) },
    ]);
    expect(await storedOffset()).toBe(5);
  });

  it('a value the database rejects is undone alone (savepoint) and dead-lettered; the rest of the batch commits', async () => {
    const { applier, sent } = applierFor();
    await applier.applyBatch(
      batchOf([
        kafkaRecord(0, debeziumEnvelope('users', 'c', { after: legacyUser(1) })),
        kafkaRecord(1, debeziumEnvelope('users', 'c', { after: legacyUser(2, { full_name: 'x'.repeat(300) }) }), { id: 2 }),
        kafkaRecord(2, debeziumEnvelope('users', 'c', { after: legacyUser(3) })),
      ]),
      controls(),
    );
    expect((await accounts()).map((row) => row.id)).toEqual([1, 3]);
    expect(await storedOffset()).toBe(2);
    expect(sent).toHaveLength(1);
    const letter = JSON.parse(sent[0]?.value ?? '') as DeadLetterBody;
    expect(letter.error.code).toBe('DATA_REJECTED');
    expect(letter.error.message).toMatch(/^ER_DATA_TOO_LONG: Data too long for column 'display_name'/);
    expect(letter.original).toMatchObject({ topic: TOPIC, partition: 0, offset: '1', key: '{"id":2}' });
  });

  it('two appliers racing on one partition (a rebalance overlap) apply each record once: the position row lock serialises them', async () => {
    const records = Array.from({ length: 40 }, (_, i) => kafkaRecord(i, debeziumEnvelope('users', 'c', { after: legacyUser(i + 1) })));
    // The first applier to lock the position holds it on the first record until the other one waits for that lock
    // (its INSERT IGNORE or SELECT … FOR UPDATE of the position row is in the server): both transactions are open at once.
    const real = createUsersProjector();
    let held = false;
    const otherWaitsForThePosition = async () => {
      const [threads] = (await t.db.raw(
        "SELECT COUNT(*) AS waiting FROM information_schema.PROCESSLIST WHERE DB = DATABASE() AND ID <> CONNECTION_ID() AND COMMAND = 'Query' AND INFO LIKE ?",
        [`%${POSITIONS_TABLE}%`],
      )) as [Array<{ waiting: number | string }>];
      expect(Number(threads[0]?.waiting)).toBeGreaterThanOrEqual(1);
    };
    const slow: Projector = {
      ...real,
      async apply(db, change) {
        if (change.position.offset === 0 && !held) {
          held = true;
          await vi.waitFor(otherWaitsForThePosition, { timeout: 20_000, interval: 20 });
        }
        return real.apply(db, change);
      },
    };
    const a = applierFor(slow);
    const b = applierFor(slow);
    await Promise.all([a.applier.applyBatch(batchOf(records), controls()), b.applier.applyBatch(batchOf(records), controls())]);
    const rows = await accounts();
    expect(rows).toHaveLength(40);
    expect(rows.every((row) => row.version === 1)).toBe(true);
    expect(a.applier.totals.applied + b.applier.totals.applied).toBe(40);
    expect(a.applier.totals.replayed + b.applier.totals.replayed).toBe(40);
    expect(await storedOffset()).toBe(39);
  });
});
