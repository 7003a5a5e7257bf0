import type { Knex } from '@strangler/platform';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('users', (t) => {
    t.increments('id').primary();
    // utf8mb4_unicode_ci makes the unique index (and lookups) case-insensitive, as the monolith always relied on.
    t.string('email', 254).notNullable().unique('users_email_unique');
    t.string('full_name', 200).notNullable();
    t.string('password_hash', 255).notNullable();
    t.enu('status', ['active', 'suspended']).notNullable().defaultTo('active');
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('users');
}
