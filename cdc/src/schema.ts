import type { Knex } from '@strangler/platform';
import { DELETED_KEYS_TABLE } from './projectors/deleted-keys.js';
import { POSITIONS_TABLE } from './runtime/positions.js';

/** The runtime's own knex migrations table in the target database, so it never mixes with the service's (`knex_migrations`). */
export const CDC_MIGRATIONS_TABLE = 'cdc_knex_migrations';

interface Migration {
  up(db: Knex): Promise<void>;
  down(db: Knex): Promise<void>;
}

// Listed statically (not read from disk) so the same migrations run from sources, compiled output and tests.
const migrations: Record<string, Migration> = {
  '001-create-cdc-applied-positions': {
    async up(db) {
      await db.schema.createTable(POSITIONS_TABLE, (t) => {
        t.charset('utf8mb4');
        t.collate('utf8mb4_bin');
        t.string('consumer_group', 255).notNullable();
        t.string('topic', 249).notNullable();
        t.integer('partition').unsigned().notNullable();
        // The last applied offset; -1 = a row created to be locked before anything was applied.
        t.bigInteger('offset').notNullable();
        t.datetime('applied_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
        t.primary(['consumer_group', 'topic', 'partition']);
      });
    },
    async down(db) {
      await db.schema.dropTable(POSITIONS_TABLE);
    },
  },
  '002-create-cdc-deleted-keys': {
    async up(db) {
      await db.schema.createTable(DELETED_KEYS_TABLE, (t) => {
        t.charset('utf8mb4');
        t.collate('utf8mb4_bin');
        t.string('source_table', 64).notNullable();
        t.integer('legacy_id').unsigned().notNullable();
        t.datetime('deleted_at', { precision: 3 }).notNullable();
        t.primary(['source_table', 'legacy_id']);
      });
    },
    async down(db) {
      await db.schema.dropTable(DELETED_KEYS_TABLE);
    },
  },
};

/**
 * Creates (or upgrades) the runtime's tables in the target database: applied positions and deleted keys. Safe to run
 * on every start.
 */
export async function migrateCdcSchema(db: Knex): Promise<void> {
  await db.migrate.latest({
    tableName: CDC_MIGRATIONS_TABLE,
    migrationSource: {
      getMigrations: async () => Object.keys(migrations),
      getMigrationName: (name: string) => name,
      getMigration: async (name: string) => migrations[name] as Migration,
    },
  });
}
