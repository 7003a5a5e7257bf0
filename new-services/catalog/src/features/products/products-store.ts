import type { Knex } from '@strangler/platform';
import { bumpVersion, type CompleteRow, type ProductRow } from './product-row.js';
import type { NewProductRecord, Product, ProductChanges, ProductListQuery, ProductsStore, Stock } from './products-store-type.js';

const PRODUCT_COLUMNS = ['id', 'sku', 'name', 'description', 'price_amount_minor', 'price_currency', 'is_active', 'created_at', 'updated_at'];

/**
 * The search compares in this collation whatever the columns' or the server's collation is: case- and
 * accent-insensitive, exactly what legacy's search got implicitly from its utf8mb4_unicode_ci columns.
 */
export const SEARCH_COLLATION = 'utf8mb4_unicode_ci';

function toProduct(row: CompleteRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    // BIGINT arrives as a string only beyond 2^53; prices are capped far below that.
    price: { amountMinor: Number(row.price_amount_minor), currency: row.price_currency },
    active: Boolean(row.is_active),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** LIKE treats % and _ as wildcards and \ as the escape character; a search term is matched literally. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export class KnexProductsStore implements ProductsStore {
  constructor(private readonly db: Knex) {}

  /** Products as the public API knows them: placeholders (no sku yet) do not exist there. */
  private products(db: Knex | Knex.Transaction = this.db): Knex.QueryBuilder {
    return db('products').whereNotNull('sku');
  }

  async insert(product: NewProductRecord): Promise<Product> {
    return this.db.transaction(async (trx) => {
      const [id] = await trx('products').insert({
        sku: product.sku,
        name: product.name,
        description: product.description,
        price_amount_minor: product.price.amountMinor,
        price_currency: product.price.currency,
        is_active: product.active,
        stock_quantity: 0,
        stock_reserved: 0,
        version: 1,
        created_at: product.createdAt,
        updated_at: product.createdAt,
        stock_updated_at: product.createdAt,
      });
      const created = await this.findIn(trx, Number(id));
      if (!created) throw new Error(`product ${String(id)} vanished right after insert`);
      return created;
    });
  }

  findById(id: number): Promise<Product | undefined> {
    return this.findIn(this.db, id);
  }

  async list(query: ProductListQuery): Promise<{ items: Product[]; total: number }> {
    const filtered = (): Knex.QueryBuilder => {
      const builder = this.products();
      if (query.q !== undefined) {
        const pattern = `%${escapeLike(query.q)}%`;
        builder.where((w) =>
          w.whereRaw(`name COLLATE ${SEARCH_COLLATION} LIKE ?`, [pattern]).orWhereRaw(`sku COLLATE ${SEARCH_COLLATION} LIKE ?`, [pattern]),
        );
      }
      return builder;
    };
    const [rows, counted] = await Promise.all([
      filtered().select(PRODUCT_COLUMNS).orderBy('id', 'asc').limit(query.limit).offset(query.offset),
      filtered().count({ total: '*' }).first(),
    ]);
    return {
      items: (rows as CompleteRow[]).map(toProduct),
      total: Number((counted as { total: number | string } | undefined)?.total ?? 0),
    };
  }

  async update(id: number, changes: ProductChanges): Promise<Product | undefined> {
    const values: Record<string, unknown> = { updated_at: changes.updatedAt, version: bumpVersion(this.db) };
    if (changes.sku !== undefined) values.sku = changes.sku;
    if (changes.name !== undefined) values.name = changes.name;
    if (changes.description !== undefined) values.description = changes.description;
    if (changes.price !== undefined) {
      values.price_amount_minor = changes.price.amountMinor;
      values.price_currency = changes.price.currency;
    }
    if (changes.active !== undefined) values.is_active = changes.active;
    await this.products().where({ id }).update(values);
    return this.findById(id);
  }

  async delete(id: number): Promise<boolean> {
    // The stock goes with it: it lives in the same row.
    const deleted = await this.products().where({ id }).delete();
    return deleted > 0;
  }

  async findStock(productId: number): Promise<Stock | undefined> {
    const row = (await this.products().select('id', 'stock_quantity', 'stock_reserved').where({ id: productId }).first()) as
      | Pick<ProductRow, 'id' | 'stock_quantity' | 'stock_reserved'>
      | undefined;
    return row ? { productId: row.id, quantity: row.stock_quantity, reserved: row.stock_reserved } : undefined;
  }

  async updateStock(productId: number, decide: (current: Stock) => number, updatedAt: Date): Promise<Stock | undefined> {
    return this.db.transaction(async (trx) => {
      // X-locks the row: a concurrent change of `reserved` (the projector) waits, so the check below holds when we write.
      const row = (await this.products(trx)
        .select('id', 'stock_quantity', 'stock_reserved')
        .where({ id: productId })
        .forUpdate()
        .first()) as Pick<ProductRow, 'id' | 'stock_quantity' | 'stock_reserved'> | undefined;
      if (!row) return undefined;
      const quantity = decide({ productId, quantity: row.stock_quantity, reserved: row.stock_reserved });
      await trx('products').where({ id: productId }).update({ stock_quantity: quantity, stock_updated_at: updatedAt, version: bumpVersion(trx) });
      return { productId, quantity, reserved: row.stock_reserved };
    });
  }

  private async findIn(db: Knex | Knex.Transaction, id: number): Promise<Product | undefined> {
    const row = (await this.products(db).select(PRODUCT_COLUMNS).where({ id }).first()) as CompleteRow | undefined;
    return row ? toProduct(row) : undefined;
  }
}
