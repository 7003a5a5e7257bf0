import type { Knex } from '@strangler/platform';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('products', (t) => {
    t.increments('id').primary();
    t.string('sku', 64).notNullable().unique('products_sku_unique');
    t.string('name', 200).notNullable().index('products_name_index');
    t.text('description').notNullable();
    t.bigInteger('price_minor').unsigned().notNullable();
    t.specificType('currency', 'CHAR(3)').notNullable();
    t.boolean('active').notNullable().defaultTo(true);
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
  });
  await db.schema.createTable('inventory', (t) => {
    t.integer('product_id').unsigned().primary().references('id').inTable('products').onDelete('CASCADE');
    t.integer('quantity').unsigned().notNullable().defaultTo(0);
    t.integer('reserved').unsigned().notNullable().defaultTo(0);
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('inventory');
  await db.schema.dropTable('products');
}
