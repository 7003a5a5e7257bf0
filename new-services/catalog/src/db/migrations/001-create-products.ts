import type { Knex } from '@strangler/platform';

/**
 * One table: a product and its stock live in the same row (legacy splits them into products + inventory).
 *
 * - `id` is the public id. Rows projected from legacy carry legacy's id explicitly (and `legacy_id` = `id`), so ids
 *   stay stable when reads move from the monolith to this service; AUTO_INCREMENT then continues above them.
 * - A row with `legacy_id` set and every product column NULL is a stock-only placeholder: legacy's inventory change
 *   arrived before its product change. The public API never sees placeholders (they have no sku).
 * - `version` starts at 1 and is bumped by every write, so a replayed change event is visibly a no-op.
 * - `stock_updated_at` NULL: no stock recorded yet (quantity and reserved are 0), like a legacy product without an
 *   inventory row.
 * - Charset and collation are explicit rather than inherited from the server: the unique sku index is
 *   case-insensitive like legacy's, and the search (see products-store.ts) names its collation itself as well.
 */
export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('products', (t) => {
    t.charset('utf8mb4');
    t.collate('utf8mb4_unicode_ci');
    t.increments('id').primary();
    t.integer('legacy_id').unsigned().nullable().unique('products_legacy_id_unique');
    t.string('sku', 64).nullable().unique('products_sku_unique');
    t.string('name', 200).nullable();
    t.text('description').nullable();
    t.bigInteger('price_amount_minor').unsigned().nullable();
    t.specificType('price_currency', 'CHAR(3)').nullable();
    t.boolean('is_active').notNullable().defaultTo(true);
    t.integer('stock_quantity').unsigned().notNullable().defaultTo(0);
    t.integer('stock_reserved').unsigned().notNullable().defaultTo(0);
    t.integer('version').unsigned().notNullable().defaultTo(1);
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
    t.datetime('stock_updated_at', { precision: 3 }).nullable();
    // Either a complete product, or a placeholder for a legacy product whose product event is still to come.
    // (That a projected row's id equals its legacy_id is kept by the store: MariaDB allows no CHECK on an AUTO_INCREMENT column.)
    t.check(
      `(sku IS NOT NULL AND name IS NOT NULL AND description IS NOT NULL AND price_amount_minor IS NOT NULL AND price_currency IS NOT NULL)
       OR (legacy_id IS NOT NULL AND sku IS NULL AND name IS NULL AND description IS NULL AND price_amount_minor IS NULL AND price_currency IS NULL)`,
      [],
      'products_complete_or_placeholder',
    );
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('products');
}
