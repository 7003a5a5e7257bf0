import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createLogger, type Knex } from '@strangler/platform';
import type { ChangeEvent } from '../debezium/envelope.js';
import { PoisonRecordError } from '../errors.js';
import type { Projector } from '../projectors/projector.js';
import { debeziumEnvelope, kafkaRecord, legacyUser } from '../testing/debezium-records.js';
import { FakePositionStore, type FakeTarget } from '../testing/fake-positions.js';
import { BatchApplier, type BatchControls, type RecordBatch } from './batch-applier.js';
import { DEAD_LETTER_HEADERS, type DeadLetter, type DeadLetterBody } from './dead-letters.js';
import { createCdcMetrics } from './metrics.js';
import type { SourceRecord } from './dead-letters.js';

const TOPIC = 'legacy.legacy.users';

/** Writes `<op>:<id>` to the fake target; `fail` decides per change whether (and how) to throw after writing. */
function fakeProjector(fail: (change: ChangeEvent) => Error | undefined = () => undefined): Projector & { calls: number } {
  const projector = {
    name: 'users',
    tables: ['users'],
    calls: 0,
    async apply(db: Knex, change: ChangeEvent) {
      projector.calls++;
      const row = change.after ?? change.before;
      (db as unknown as FakeTarget).writes.push(`${change.op}:${String(row?.id)}`);
      const error = fail(change);
      if (error) throw error;
      return 'inserted' as const;
    },
  };
  return projector;
}

function userChange(id: number, op: 'c' | 'u' | 'd' = 'c', overrides: Record<string, unknown> = {}) {
  const row = legacyUser(id, overrides);
  return op === 'd' ? debeziumEnvelope('users', 'd', { before: row }) : debeziumEnvelope('users', op, { after: row });
}

function batchOf(messages: SourceRecord[], highWatermark?: number): RecordBatch {
  const last = Number(messages[messages.length - 1]?.offset ?? -1);
  return { topic: TOPIC, partition: 0, highWatermark: String(highWatermark ?? last + 1), messages };
}

function controls(overrides: Partial<BatchControls> = {}) {
  const calls = { resolved: [] as string[], commits: [] as string[], heartbeats: 0 };
  const value: BatchControls = {
    isRunning: () => true,
    isStale: () => false,
    resolveOffset: (offset) => void calls.resolved.push(offset),
    heartbeat: async () => void calls.heartbeats++,
    commitOffset: async (offset) => void calls.commits.push(offset),
    ...overrides,
  };
  return { controls: value, calls };
}

function setup(projector: Projector = fakeProjector(), options: { maxRecordsPerTransaction?: number } = {}) {
  const positions = new FakePositionStore();
  const sent: DeadLetter[] = [];
  const sink = { failures: 0, send: async (letters: DeadLetter[]) => {
    if (sink.failures > 0) {
      sink.failures--;
      throw Object.assign(new Error('broker unavailable'), { name: 'KafkaJSConnectionError' });
    }
    sent.push(...letters);
  } };
  const registry = new Registry();
  const metrics = createCdcMetrics(registry);
  const sleeps: number[] = [];
  let clock = 1_795_572_920_000;
  const applier = new BatchApplier({
    projector,
    positions,
    deadLetters: sink,
    metrics,
    logger: createLogger({ name: 'test', level: 'silent' }),
    sourceDatabase: 'legacy',
    topicTables: new Map([[TOPIC, 'users']]),
    maxRecordsPerTransaction: options.maxRecordsPerTransaction ?? 100,
    retry: { initialMs: 100, maxMs: 400 },
    now: () => clock,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
  });
  const metric = async (name: string, labels: Record<string, string> = {}) =>
    (await registry.getSingleMetric(name)?.get())?.values
      .filter((entry) => Object.entries(labels).every(([key, value]) => String(entry.labels[key]) === value))
      .reduce((sum, entry) => sum + entry.value, 0) ?? 0;
  const histogram = async (name: string) => {
    const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
    const total = (series: string) => (values as Array<{ metricName?: string; value: number }>).filter((entry) => entry.metricName === series).reduce((sum, entry) => sum + entry.value, 0);
    return { count: total(`${name}_count`), sum: total(`${name}_sum`) };
  };
  return { applier, positions, sent, sink, sleeps, metric, histogram };
}

const body = (letter: DeadLetter | undefined) => JSON.parse(letter?.value ?? 'null') as DeadLetterBody;

describe('BatchApplier', () => {
  it('applies a batch in order in one transaction, stores its last offset, then resolves and commits it to Kafka', async () => {
    const { applier, positions, metric } = setup();
    const { controls: c, calls } = controls();
    await applier.applyBatch(batchOf([kafkaRecord(0, userChange(1)), kafkaRecord(1, userChange(2)), kafkaRecord(2, userChange(1, 'u'))], 10), c);
    expect(positions.writes).toEqual(['c:1', 'c:2', 'u:1']);
    expect(positions.transactions).toBe(1);
    expect(positions.committedOffset(TOPIC, 0)).toBe(2);
    expect(calls.resolved).toEqual(['2']);
    expect(calls.commits).toEqual(['3']);
    expect(await metric('cdc_records_applied_total', { table: 'users', op: 'c', outcome: 'inserted' })).toBe(2);
    expect(await metric('cdc_records_applied_total', { op: 'u' })).toBe(1);
    // High watermark 10: offsets 3..9 are still to come.
    expect(await metric('cdc_consumer_offset_lag', { topic: TOPIC, partition: '0' })).toBe(7);
  });

  it('a redelivered batch is a no-op: records at or below the stored offset are skipped', async () => {
    const projector = fakeProjector();
    const { applier, positions, metric } = setup(projector);
    const batch = batchOf([kafkaRecord(0, userChange(1)), kafkaRecord(1, userChange(2))]);
    await applier.applyBatch(batch, controls().controls);
    const { controls: c, calls } = controls();
    await applier.applyBatch(batch, c);
    expect(projector.calls).toBe(2);
    expect(positions.writes).toEqual(['c:1', 'c:2']);
    expect(positions.committedOffset(TOPIC, 0)).toBe(1);
    expect(calls.resolved).toEqual(['1']);
    expect(await metric('cdc_records_replayed_total')).toBe(2);
    expect(await metric('cdc_records_applied_total')).toBe(2);
  });

  it('a batch overlapping what was applied applies only the new records', async () => {
    const { applier, positions } = setup();
    await applier.applyBatch(batchOf([kafkaRecord(0, userChange(1)), kafkaRecord(1, userChange(2))]), controls().controls);
    await applier.applyBatch(batchOf([kafkaRecord(1, userChange(2)), kafkaRecord(2, userChange(3)), kafkaRecord(3, userChange(4))]), controls().controls);
    expect(positions.writes).toEqual(['c:1', 'c:2', 'c:3', 'c:4']);
    expect(positions.committedOffset(TOPIC, 0)).toBe(3);
  });

  it('a tombstone is skipped but its offset counts as applied', async () => {
    const { applier, positions, metric } = setup();
    await applier.applyBatch(batchOf([kafkaRecord(0, userChange(2, 'd')), kafkaRecord(1, null, { id: 2 })]), controls().controls);
    expect(positions.writes).toEqual(['d:2']);
    expect(positions.committedOffset(TOPIC, 0)).toBe(1);
    expect(await metric('cdc_records_applied_total', { outcome: 'tombstone' })).toBe(1);
  });

  it('poison records are dead-lettered with their error and the original, their writes undone, and the batch goes on', async () => {
    const projector = fakeProjector((change) =>
      change.after?.email === 'conflict@x.io' ? new PoisonRecordError('PROJECTION_CONFLICT', 'legacy user 3: its email already belongs to account 9') : undefined,
    );
    const { applier, positions, sent, metric } = setup(projector);
    const first = kafkaRecord(0, userChange(1));
    const conflicting = kafkaRecord(2, userChange(3, 'c', { email: 'conflict@x.io' }), { id: 3 });
    await applier.applyBatch(
      batchOf([
        first,
        kafkaRecord(1, '{"not json', { id: 2 }),
        conflicting,
        kafkaRecord(3, userChange(4, 'c', { full_name: null })),
        kafkaRecord(4, debeziumEnvelope('orders', 'c', { after: { id: 1 } })),
        kafkaRecord(5, userChange(5)),
      ]),
      controls().controls,
    );
    // The conflicting record's own write (c:3) was rolled back to its savepoint; the records after it were applied.
    expect(positions.writes).toEqual(['c:1', 'c:4', 'c:5']);
    expect(positions.committedOffset(TOPIC, 0)).toBe(5);
    expect(sent.map((letter) => body(letter).error.code)).toEqual(['INVALID_JSON', 'PROJECTION_CONFLICT', 'UNEXPECTED_TABLE']);
    expect(body(sent[1])).toEqual({
      error: { code: 'PROJECTION_CONFLICT', message: 'legacy user 3: its email already belongs to account 9' },
      projector: 'users',
      original: { topic: TOPIC, partition: 0, offset: '2', key: '{"id":3}', value: conflicting.value?.toString(), timestamp: '1795572916755' },
    });
    expect(body(sent[0]).original).toMatchObject({ key: '{"id":2}', value: '{"not json' });
    expect(sent[1]?.key?.toString()).toBe('{"id":3}');
    expect(sent[1]?.headers).toEqual({
      [DEAD_LETTER_HEADERS.errorCode]: 'PROJECTION_CONFLICT',
      [DEAD_LETTER_HEADERS.projector]: 'users',
      [DEAD_LETTER_HEADERS.topic]: TOPIC,
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: '2',
    });
    expect(await metric('cdc_records_failed_total')).toBe(3);
    expect(await metric('cdc_records_failed_total', { code: 'INVALID_JSON', table: 'users' })).toBe(1);
    expect(await metric('cdc_dead_letters_total')).toBe(3);
  });

  it('a schema mismatch from a real projector is dead-lettered naming the column (fake projector passes the row through)', async () => {
    const projector = fakeProjector((change) => (change.after?.full_name === null ? new PoisonRecordError('SCHEMA_MISMATCH', 'column "full_name"') : undefined));
    const { applier, sent, positions } = setup(projector);
    await applier.applyBatch(batchOf([kafkaRecord(0, userChange(1, 'c', { full_name: null })), kafkaRecord(1, userChange(2))]), controls().controls);
    expect(sent.map((letter) => body(letter).error)).toEqual([{ code: 'SCHEMA_MISMATCH', message: 'column "full_name"' }]);
    expect(positions.writes).toEqual(['c:2']);
  });

  it('a change from another database than the captured one is poison', async () => {
    const { applier, sent, positions } = setup();
    await applier.applyBatch(batchOf([kafkaRecord(0, debeziumEnvelope('users', 'c', { after: legacyUser(1) }, { db: 'other' }))]), controls().controls);
    expect(sent.map((letter) => body(letter).error.code)).toEqual(['UNEXPECTED_TABLE']);
    expect(positions.writes).toEqual([]);
    expect(positions.committedOffset(TOPIC, 0)).toBe(0);
  });

  it('a transient error rolls the whole chunk back and retries it with back-off: every record applied exactly once', async () => {
    let deadlocks = 2;
    const projector = fakeProjector((change) => {
      if (change.after?.id === 2 && deadlocks > 0) {
        deadlocks--;
        return Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK', sqlState: '40001' });
      }
      return undefined;
    });
    const { applier, positions, sleeps, sent, metric } = setup(projector);
    const { controls: c, calls } = controls();
    await applier.applyBatch(batchOf([kafkaRecord(0, userChange(1)), kafkaRecord(1, userChange(2)), kafkaRecord(2, userChange(3))]), c);
    expect(positions.writes).toEqual(['c:1', 'c:2', 'c:3']);
    expect(positions.transactions).toBe(3);
    expect(sleeps).toEqual([100, 200]);
    expect(sent).toEqual([]);
    expect(calls.resolved).toEqual(['2']);
    expect(calls.heartbeats).toBeGreaterThanOrEqual(2);
    expect(await metric('cdc_batch_retries_total', { reason: 'ER_LOCK_DEADLOCK' })).toBe(2);
    // Counted once, for the attempt that committed.
    expect(await metric('cdc_records_applied_total')).toBe(3);
  });

  it('an unrecognised error is retried too (never dead-lettered), with the back-off capped', async () => {
    let failures = 4;
    const projector = fakeProjector(() => (failures-- > 0 ? new TypeError('bug') : undefined));
    const { applier, positions, sleeps, sent, metric } = setup(projector);
    await applier.applyBatch(batchOf([kafkaRecord(0, userChange(1))]), controls().controls);
    expect(sleeps).toEqual([100, 200, 400, 400]);
    expect(positions.writes).toEqual(['c:1']);
    expect(sent).toEqual([]);
    expect(await metric('cdc_batch_retries_total', { reason: 'unknown' })).toBe(4);
  });

  it('dead letters are produced before the position commits: if producing fails, nothing commits and the chunk is retried', async () => {
    const { applier, positions, sent, sink } = setup();
    sink.failures = 1;
    const seenAtSend: number[] = [];
    const send = sink.send;
    sink.send = async (letters) => {
      seenAtSend.push(positions.committedOffset(TOPIC, 0));
      await send(letters);
    };
    await applier.applyBatch(batchOf([kafkaRecord(0, userChange(1)), kafkaRecord(1, 'garbage'), kafkaRecord(2, userChange(2))]), controls().controls);
    // Both attempts sent while the committed position was still "nothing applied".
    expect(seenAtSend).toEqual([-1, -1]);
    expect(sent).toHaveLength(1);
    expect(positions.writes).toEqual(['c:1', 'c:2']);
    expect(positions.committedOffset(TOPIC, 0)).toBe(2);
  });

  it('splits a batch into transactions of maxRecordsPerTransaction, resolving and committing after each', async () => {
    const { applier, positions } = setup(fakeProjector(), { maxRecordsPerTransaction: 2 });
    const { controls: c, calls } = controls();
    await applier.applyBatch(batchOf([0, 1, 2, 3, 4].map((offset) => kafkaRecord(offset, userChange(offset + 1)))), c);
    expect(positions.transactions).toBe(3);
    expect(calls.resolved).toEqual(['1', '3', '4']);
    expect(calls.commits).toEqual(['2', '4', '5']);
    expect(positions.writes).toHaveLength(5);
  });

  it('stops between chunks once the consumer stops or the batch goes stale, leaving the rest unresolved', async () => {
    const { applier, positions } = setup(fakeProjector(), { maxRecordsPerTransaction: 2 });
    let running = true;
    const { controls: c, calls } = controls({
      isRunning: () => running,
      resolveOffset: (offset) => {
        calls.resolved.push(offset);
        running = false;
      },
    });
    await applier.applyBatch(batchOf([0, 1, 2, 3].map((offset) => kafkaRecord(offset, userChange(offset + 1)))), c);
    expect(calls.resolved).toEqual(['1']);
    expect(positions.committedOffset(TOPIC, 0)).toBe(1);

    const stale = setup(fakeProjector(), { maxRecordsPerTransaction: 2 });
    await stale.applier.applyBatch(batchOf([kafkaRecord(0, userChange(1))]), controls({ isStale: () => true }).controls);
    expect(stale.positions.transactions).toBe(0);
  });

  it('stops retrying when the consumer stops: the failed chunk stays unapplied and unresolved', async () => {
    let running = true;
    const projector = fakeProjector(() => {
      running = false;
      return Object.assign(new Error('Connection lost'), { code: 'PROTOCOL_CONNECTION_LOST' });
    });
    const { applier, positions } = setup(projector);
    const { controls: c, calls } = controls({ isRunning: () => running });
    await applier.applyBatch(batchOf([kafkaRecord(0, userChange(1))]), c);
    expect(projector.calls).toBe(1);
    expect(calls.resolved).toEqual([]);
    expect(positions.committedOffset(TOPIC, 0)).toBe(-1);
    expect(positions.writes).toEqual([]);
  });

  it('observes event lag from source.ts_ms, row lag from updated_at (streamed inserts/updates only), batch duration', async () => {
    const { applier, histogram } = setup();
    await applier.applyBatch(
      batchOf([
        kafkaRecord(0, debeziumEnvelope('users', 'r', { after: legacyUser(1) }, { tsMs: 1_795_572_916_000 })),
        kafkaRecord(1, debeziumEnvelope('users', 'u', { after: legacyUser(1, { updated_at: 1_795_572_919_500 }) }, { tsMs: 1_795_572_919_000 })),
      ]),
      controls().controls,
    );
    // Applied at 1_795_572_920_000: 4 s after the snapshot read, 1 s after the update's binlog second, 0.5 s after its updated_at.
    expect(await histogram('cdc_event_lag_seconds')).toEqual({ count: 2, sum: 5 });
    expect(await histogram('cdc_row_lag_seconds')).toEqual({ count: 1, sum: 0.5 });
    expect((await histogram('cdc_batch_duration_seconds')).count).toBe(1);
  });
});
