import type { Knex } from '@strangler/platform';

export const DELETED_KEYS_TABLE = 'cdc_deleted_keys';

/**
 * Legacy ids a projector has seen deleted. The monolith never reuses an id (AUTO_INCREMENT), so a change for a
 * deleted id that arrives later (from another topic, whose order relative to this one Kafka does not keep, or
 * redelivered by Debezium after a restart) is older than the delete and must not bring the row back.
 */
export interface DeletedKeys {
  isDeleted(sourceTable: string, legacyId: number): Promise<boolean>;
  markDeleted(sourceTable: string, legacyId: number, deletedAt: Date): Promise<void>;
}

/** The keys in the target database (table created by the cdc schema), through `db`: the runtime's transaction. */
export function knexDeletedKeys(db: Knex): DeletedKeys {
  return {
    async isDeleted(sourceTable, legacyId) {
      return (await db(DELETED_KEYS_TABLE).where({ source_table: sourceTable, legacy_id: legacyId }).first()) !== undefined;
    },
    async markDeleted(sourceTable, legacyId, deletedAt) {
      await db(DELETED_KEYS_TABLE).insert({ source_table: sourceTable, legacy_id: legacyId, deleted_at: deletedAt }).onConflict().ignore();
    },
  };
}
