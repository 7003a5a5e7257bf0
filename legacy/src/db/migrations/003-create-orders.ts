import type { Knex } from '@strangler/platform';

export async function up(db: Knex): Promise<void> {
  await db.schema.createTable('orders', (t) => {
    t.increments('id').primary();
    t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('RESTRICT');
    t.enu('status', ['pending', 'paid', 'shipped', 'cancelled']).notNullable().defaultTo('pending');
    t.bigInteger('total_minor').unsigned().notNullable();
    t.specificType('currency', 'CHAR(3)').notNullable();
    t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
    t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(db.raw('CURRENT_TIMESTAMP(3)'));
    t.index(['user_id', 'id'], 'orders_user_index');
  });
  await db.schema.createTable('order_items', (t) => {
    t.increments('id').primary();
    t.integer('order_id').unsigned().notNullable().references('id').inTable('orders').onDelete('CASCADE');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products').onDelete('RESTRICT');
    t.integer('quantity').unsigned().notNullable();
    t.bigInteger('unit_price_minor').unsigned().notNullable();
    t.unique(['order_id', 'product_id'], { indexName: 'order_items_order_product_unique' });
  });
}

export async function down(db: Knex): Promise<void> {
  await db.schema.dropTable('order_items');
  await db.schema.dropTable('orders');
}
