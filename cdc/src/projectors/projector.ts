import type { Knex } from '@strangler/platform';
import type { ChangeEvent } from '../debezium/envelope.js';

/**
 * What applying one change did to the target: the services' upsert outcomes (`unchanged` = a replay, `stale` = the
 * target already holds a newer state), or for deletes whether there was a row to delete.
 */
export type ApplyOutcome = 'inserted' | 'updated' | 'unchanged' | 'stale' | 'deleted' | 'absent';

/**
 * Keeps one new service's data in step with some of the monolith's tables. `apply` writes through `db`, the
 * runtime's transaction (or a savepoint in it), so the change and the position it came from commit together.
 * It throws PoisonRecordError for a change it can never apply; anything else is retried by the runtime.
 */
export interface Projector {
  readonly name: string;
  /** The monolith's tables this projector consumes (one change topic each). */
  readonly tables: readonly string[];
  apply(db: Knex, change: ChangeEvent): Promise<ApplyOutcome>;
}
