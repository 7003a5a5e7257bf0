import type { Knex } from '@strangler/platform';

/**
 * The users service's own schema, deliberately not a copy of the monolith's `users` table: the public API is the
 * contract, the tables are not.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('accounts', (t) => {
    t.charset('utf8mb4');
    t.collate('utf8mb4_unicode_ci');
    // The public id. Rows projected from the monolith insert its users.id explicitly, so ids agree everywhere.
    t.increments('id').primary();
    // Link to the monolith's users.id; NULL for an account created here. The CDC projector upserts by it.
    t.integer('legacy_id').unsigned().nullable().unique('accounts_legacy_id_unique');
    // As entered (trimmed): what the API returns.
    t.string('email', 254).notNullable();
    // Trimmed + lower-cased: uniqueness and lookups go through this, compared byte for byte rather than by collation.
    t.string('email_normalized', 254).notNullable().collate('utf8mb4_bin').unique('accounts_email_normalized_unique');
    t.string('display_name', 200).notNullable();
    t.enu('status', ['active', 'suspended']).notNullable().defaultTo('active');
    // scrypt, same format as the monolith, so login can move here without a password reset.
    t.string('password_hash', 255).notNullable();
    // Bumped on every change: lets consumers and the projector tell a change from a replay.
    t.integer('version').unsigned().notNullable().defaultTo(1);
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('accounts');
}
