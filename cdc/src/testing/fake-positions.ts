import type { Knex } from '@strangler/platform';
import { NOTHING_APPLIED, positionKey, type PositionStore, type PositionTransaction } from '../runtime/positions.js';

/** What a fake projector writes to: passed as the `db` of its apply (in place of a knex transaction). */
export interface FakeTarget {
  writes: string[];
}

/**
 * In-memory PositionStore with the real one's transaction semantics: a transaction works on a copy of the target
 * and the positions, committed only if the work resolves; a savepoint undoes only its own writes.
 */
export class FakePositionStore implements PositionStore {
  private readonly positions = new Map<string, number>();
  /** Committed writes of the fake projector, in order. */
  writes: string[] = [];
  transactions = 0;
  /** Called before each commit, with the offset still committed for the partition (to check what happens before it). */
  beforeCommit?: () => void | Promise<void>;

  committedOffset(topic: string, partition: number): number {
    return this.positions.get(positionKey(topic, partition)) ?? NOTHING_APPLIED;
  }

  async withLockedPosition<T>(topic: string, partition: number, work: (tx: PositionTransaction) => Promise<T>): Promise<T> {
    this.transactions++;
    const key = positionKey(topic, partition);
    const target: FakeTarget = { writes: [...this.writes] };
    let offset = this.committedOffset(topic, partition);
    const tx: PositionTransaction = {
      applied: offset,
      async savepoint(fn) {
        const mark = target.writes.length;
        try {
          return await fn(target as unknown as Knex);
        } catch (error) {
          target.writes.length = mark;
          throw error;
        }
      },
      async save(next) {
        offset = next;
      },
    };
    const result = await work(tx);
    await this.beforeCommit?.();
    this.positions.set(key, offset);
    this.writes = target.writes;
    return result;
  }

  async appliedOffsets(topics: readonly string[]): Promise<Map<string, number>> {
    return new Map([...this.positions].filter(([key, offset]) => offset >= 0 && topics.some((topic) => key.startsWith(`${topic}:`))));
  }
}
