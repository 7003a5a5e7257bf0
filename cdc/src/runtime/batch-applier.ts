import type { Logger } from '@strangler/platform';
import { parseChangeRecord, type ChangeEvent } from '../debezium/envelope.js';
import { classifyError, PoisonRecordError } from '../errors.js';
import type { ApplyOutcome, Projector } from '../projectors/projector.js';
import { deadLetterFor, type DeadLetter, type DeadLetterSink, type SourceRecord } from './dead-letters.js';
import type { CdcMetrics } from './metrics.js';
import type { PositionStore } from './positions.js';

/** The part of a kafkajs batch the applier uses. */
export interface RecordBatch {
  topic: string;
  partition: number;
  /** The offset the next record written to the partition will get. */
  highWatermark: string;
  messages: SourceRecord[];
}

/** The part of kafkajs's eachBatch payload the applier uses. */
export interface BatchControls {
  isRunning(): boolean;
  /** True once the partition was re-assigned or seeked: the rest of the batch must not be processed. */
  isStale(): boolean;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  /** Tells Kafka how far this partition got (lag visibility only: the target database is the source of truth). */
  commitOffset(nextOffset: string): Promise<void>;
}

export interface BatchApplierOptions {
  projector: Projector;
  positions: PositionStore;
  deadLetters: DeadLetterSink;
  metrics: CdcMetrics;
  logger: Logger;
  /** The monolith's database the change topics capture (a change from another one is poison). */
  sourceDatabase: string;
  /** Change topic → the table it carries. */
  topicTables: ReadonlyMap<string, string>;
  maxRecordsPerTransaction: number;
  retry: { initialMs: number; maxMs: number };
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

interface AppliedChange {
  change: ChangeEvent;
  outcome: ApplyOutcome;
}

interface ChunkResult {
  applied: AppliedChange[];
  tombstones: number;
  replayed: number;
  failed: Array<{ table: string; offset: string; code: string; message: string }>;
  deadLetters: DeadLetter[];
  /** The partition's applied offset once the chunk committed. */
  appliedOffset: number;
}

export interface BatchStats {
  applied: number;
  replayed: number;
  failed: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Applies kafkajs batches exactly once to the target database:
 * - one transaction per chunk of up to `maxRecordsPerTransaction` records, holding the partition's position row lock;
 * - records at or below the stored position are skipped (redelivery after a crash or a rebalance is a no-op);
 * - each record runs in a savepoint: a poison record is undone alone, dead-lettered, and the chunk goes on;
 * - the new position is written in the same transaction, and the dead letters are produced before it commits
 *   (a crash between the two produces them again on retry: a dead letter may repeat, it is never lost);
 * - any other error rolls the chunk back and retries it with exponential back-off until it succeeds or the
 *   consumer stops: the partition's order is kept, nothing is skipped.
 */
export class BatchApplier {
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  readonly totals: BatchStats = { applied: 0, replayed: 0, failed: 0 };

  constructor(private readonly options: BatchApplierOptions) {
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
  }

  async applyBatch(batch: RecordBatch, controls: BatchControls): Promise<void> {
    const size = this.options.maxRecordsPerTransaction;
    for (let start = 0; start < batch.messages.length; start += size) {
      if (!controls.isRunning() || controls.isStale()) return;
      const chunk = batch.messages.slice(start, start + size);
      const result = await this.applyWithRetry(batch, chunk, controls);
      if (!result) return;
      const last = chunk[chunk.length - 1] as SourceRecord;
      controls.resolveOffset(last.offset);
      this.record(batch, result);
      try {
        await controls.commitOffset(String(Number(last.offset) + 1));
      } catch (error) {
        // Only lag visibility is lost; the next commit catches up. Debug: it fails with every Kafka outage, which the
        // runtime reports once.
        this.options.logger.debug({ err: error, topic: batch.topic, partition: batch.partition }, 'committing the offset to Kafka failed');
      }
      await controls.heartbeat();
    }
  }

  /** The chunk's result once committed, or undefined when the consumer stopped (or lost the partition) meanwhile. */
  private async applyWithRetry(batch: RecordBatch, chunk: SourceRecord[], controls: BatchControls): Promise<ChunkResult | undefined> {
    const { logger, metrics, projector, retry } = this.options;
    let delay = retry.initialMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.applyChunk(batch, chunk, controls);
      } catch (error) {
        const kind = classifyError(error);
        const reason = kind.kind === 'poison' ? kind.code : kind.reason;
        metrics.retries.inc({ projector: projector.name, reason: kind.kind === 'unknown' ? 'unknown' : reason });
        const context = { err: error, topic: batch.topic, partition: batch.partition, firstOffset: chunk[0]?.offset, attempt, retryInMs: delay };
        if (kind.kind === 'transient') logger.warn(context, `transient failure (${reason}): rolled back, retrying the batch`);
        else logger.error(context, 'unexpected failure: rolled back, retrying the batch (fix the cause; nothing is skipped)');
      }
      if (!(await this.wait(delay, controls))) return undefined;
      delay = Math.min(delay * 2, retry.maxMs);
    }
  }

  /** Sleeps in slices so the consumer keeps heart-beating; false when it should stop instead. */
  private async wait(ms: number, controls: BatchControls): Promise<boolean> {
    const until = this.now() + ms;
    for (;;) {
      if (!controls.isRunning() || controls.isStale()) return false;
      const left = until - this.now();
      if (left <= 0) return true;
      await this.sleep(Math.min(left, 1000));
      await controls.heartbeat();
    }
  }

  private applyChunk(batch: RecordBatch, chunk: SourceRecord[], controls: BatchControls): Promise<ChunkResult> {
    const { positions, projector, deadLetters, metrics } = this.options;
    const started = this.now();
    // A chunk can take longer than the group's session on a slow database: keep the membership alive from inside it
    // (kafkajs sends at most one heartbeat per interval). Best effort, never awaited: a rebalance it reports is seen
    // by isStale() at the chunk boundary, and the chunk's commit stays exactly once either way.
    let beatAt = started;
    const keepAlive = () => {
      if (this.now() - beatAt < 1_000) return;
      beatAt = this.now();
      controls.heartbeat().catch(() => undefined);
    };
    return positions
      .withLockedPosition(batch.topic, batch.partition, async (tx) => {
        const result: ChunkResult = { applied: [], tombstones: 0, replayed: 0, failed: [], deadLetters: [], appliedOffset: tx.applied };
        for (const record of chunk) {
          const offset = Number(record.offset);
          if (offset <= tx.applied) {
            result.replayed++;
            continue;
          }
          try {
            const parsed = parseChangeRecord(record.value, { topic: batch.topic, partition: batch.partition, offset });
            if (parsed.kind === 'tombstone') {
              result.tombstones++;
            } else {
              this.checkSource(batch.topic, parsed.change);
              const outcome = await tx.savepoint((db) => projector.apply(db, parsed.change));
              result.applied.push({ change: parsed.change, outcome });
            }
          } catch (error) {
            const kind = classifyError(error);
            // Anything but poison rolls the whole chunk back (a deadlock has already aborted the transaction).
            if (kind.kind !== 'poison') throw error;
            result.failed.push({ table: this.tableOf(batch.topic), offset: record.offset, code: kind.code, message: kind.message });
            result.deadLetters.push(
              deadLetterFor(projector.name, { topic: batch.topic, partition: batch.partition, record }, { code: kind.code, message: kind.message }),
            );
          }
          result.appliedOffset = offset;
          keepAlive();
        }
        if (result.appliedOffset > tx.applied) await tx.save(result.appliedOffset);
        // Before the commit: once the position moves past a poison record, its dead letter must already exist.
        if (result.deadLetters.length > 0) {
          await deadLetters.send(result.deadLetters);
          metrics.deadLetters.inc({ projector: projector.name }, result.deadLetters.length);
        }
        return result;
      })
      .finally(() => metrics.batchDuration.observe({ projector: projector.name }, (this.now() - started) / 1000));
  }

  private tableOf(topic: string): string {
    return this.options.topicTables.get(topic) ?? 'unknown';
  }

  /** A record must come from the captured database and carry the table its topic is for. */
  private checkSource(topic: string, change: ChangeEvent): void {
    const table = this.options.topicTables.get(topic);
    if (change.database !== this.options.sourceDatabase || change.table !== table) {
      throw new PoisonRecordError(
        'UNEXPECTED_TABLE',
        `topic ${topic} carries ${table ?? 'no table of this projector'}, the record is a change of ${change.database}.${change.table}`,
      );
    }
  }

  /** Metrics and totals, only for what committed (a retried chunk is not counted twice). */
  private record(batch: RecordBatch, result: ChunkResult): void {
    const { metrics, projector, logger } = this.options;
    const now = this.now();
    const name = projector.name;
    for (const { change, outcome } of result.applied) {
      metrics.applied.inc({ projector: name, table: change.table, op: change.op, outcome });
      metrics.eventLag.observe({ projector: name, table: change.table }, Math.max(0, now - change.sourceTsMs) / 1000);
      const updatedAt = change.after?.updated_at;
      if (!change.snapshot && change.op !== 'd' && typeof updatedAt === 'number') {
        metrics.rowLag.observe({ projector: name, table: change.table }, Math.max(0, now - updatedAt) / 1000);
      }
    }
    const table = this.tableOf(batch.topic);
    if (result.tombstones > 0) metrics.applied.inc({ projector: name, table, op: 'd', outcome: 'tombstone' }, result.tombstones);
    if (result.replayed > 0) metrics.replayed.inc({ projector: name, topic: batch.topic }, result.replayed);
    for (const failure of result.failed) {
      metrics.failed.inc({ projector: name, table: failure.table, code: failure.code });
      // Never the record's value: it may carry personal data and password hashes.
      logger.error(
        { topic: batch.topic, partition: batch.partition, offset: failure.offset, code: failure.code, reason: failure.message },
        'record cannot be applied: sent to the dead-letter topic',
      );
    }
    const lag = Math.max(0, Number(batch.highWatermark) - 1 - result.appliedOffset);
    metrics.offsetLag.set({ topic: batch.topic, partition: String(batch.partition) }, lag);
    this.totals.applied += result.applied.length + result.tombstones;
    this.totals.replayed += result.replayed;
    this.totals.failed += result.failed.length;
  }
}

