import type { Knex } from '@strangler/platform';

/** Created by the cdc schema (see ../schema.ts). */
export const POSITIONS_TABLE = 'cdc_applied_positions';

/** No record of this partition applied yet. */
export const NOTHING_APPLIED = -1;

/** One transaction holding the lock on one partition's applied position. */
export interface PositionTransaction {
  /** The last offset applied to the target (NOTHING_APPLIED if none), read under the lock. */
  readonly applied: number;
  /** Runs `work` in a savepoint: if it throws, only its writes are undone and the transaction goes on. */
  savepoint<T>(work: (db: Knex) => Promise<T>): Promise<T>;
  save(offset: number): Promise<void>;
}

/**
 * Where the target database records, per (consumer group, topic, partition), the last Kafka offset whose change it
 * holds. It is the source of truth for what was applied: Kafka's committed offset only shows lag.
 */
export interface PositionStore {
  /** Runs `work` in one transaction that holds the position's row lock; commits if `work` resolves. */
  withLockedPosition<T>(topic: string, partition: number, work: (tx: PositionTransaction) => Promise<T>): Promise<T>;
  /** Applied offsets of these topics by `${topic}:${partition}` (partitions with nothing applied are absent). */
  appliedOffsets(topics: readonly string[]): Promise<Map<string, number>>;
}

export const positionKey = (topic: string, partition: number): string => `${topic}:${partition}`;

function toOffset(value: unknown): number {
  const offset = Number(value);
  if (!Number.isSafeInteger(offset)) throw new Error(`stored offset ${String(value)} is not a safe integer`);
  return offset;
}

export class KnexPositionStore implements PositionStore {
  constructor(
    private readonly db: Knex,
    private readonly consumerGroup: string,
  ) {}

  withLockedPosition<T>(topic: string, partition: number, work: (tx: PositionTransaction) => Promise<T>): Promise<T> {
    const where = { consumer_group: this.consumerGroup, topic, partition };
    // READ COMMITTED like the services' own upserts: no gap locks between neighbouring ids.
    return this.db.transaction(
      async (trx) => {
        // Make sure the row exists so FOR UPDATE locks something: a second runtime on this partition (the previous
        // owner finishing its batch during a rebalance) then waits here and sees the offsets this one applied.
        await trx.raw(`INSERT IGNORE INTO ?? (consumer_group, topic, \`partition\`, \`offset\`) VALUES (?, ?, ?, ?)`, [
          POSITIONS_TABLE,
          this.consumerGroup,
          topic,
          partition,
          NOTHING_APPLIED,
        ]);
        const row = (await trx(POSITIONS_TABLE).select('offset').where(where).forUpdate().first()) as { offset: unknown } | undefined;
        if (!row) throw new Error(`position row for ${topic}:${partition} vanished`);
        return work({
          applied: toOffset(row.offset),
          // A raw, reused savepoint rather than a knex nested transaction: one round trip per record instead of
          // two (SAVEPOINT with an existing name replaces it; nothing to release).
          async savepoint(fn) {
            await trx.raw('SAVEPOINT cdc_record');
            try {
              return await fn(trx);
            } catch (error) {
              await trx.raw('ROLLBACK TO SAVEPOINT cdc_record');
              throw error;
            }
          },
          async save(offset) {
            await trx(POSITIONS_TABLE).where(where).update({ offset, applied_at: trx.raw('CURRENT_TIMESTAMP(3)') });
          },
        });
      },
      { isolationLevel: 'read committed' },
    );
  }

  async appliedOffsets(topics: readonly string[]): Promise<Map<string, number>> {
    const rows = (await this.db(POSITIONS_TABLE)
      .select('topic', 'partition', 'offset')
      .where({ consumer_group: this.consumerGroup })
      .whereIn('topic', [...topics])
      .where('offset', '>=', 0)) as Array<{ topic: string; partition: number; offset: unknown }>;
    return new Map(rows.map((row) => [positionKey(row.topic, row.partition), toOffset(row.offset)]));
  }
}
