import type { Knex } from '@strangler/platform';
import type { NewProductRecord, Product, ProductChanges, ProductListQuery, ProductsStore, Stock } from './products-store-type.js';

interface ProductRow {
  id: number;
  sku: string;
  name: string;
  description: string;
  price_minor: number | string;
  currency: string;
  active: number | boolean;
  created_at: Date;
  updated_at: Date;
}

interface StockRow {
  product_id: number;
  quantity: number;
  reserved: number;
}

const PRODUCT_COLUMNS = ['id', 'sku', 'name', 'description', 'price_minor', 'currency', 'active', 'created_at', 'updated_at'];

function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    // BIGINT arrives as a string only beyond 2^53; prices are capped far below that.
    price: { amountMinor: Number(row.price_minor), currency: row.currency },
    active: Boolean(row.active),
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

  async insert(product: NewProductRecord): Promise<Product> {
    return this.db.transaction(async (trx) => {
      const [id] = await trx('products').insert({
        sku: product.sku,
        name: product.name,
        description: product.description,
        price_minor: product.price.amountMinor,
        currency: product.price.currency,
        active: product.active,
        created_at: product.createdAt,
        updated_at: product.createdAt,
      });
      await trx('inventory').insert({ product_id: id, quantity: 0, reserved: 0, updated_at: product.createdAt });
      const created = await findProduct(trx, Number(id));
      if (!created) throw new Error(`product ${String(id)} vanished right after insert`);
      return created;
    });
  }

  findById(id: number): Promise<Product | undefined> {
    return findProduct(this.db, id);
  }

  async list(query: ProductListQuery): Promise<{ items: Product[]; total: number }> {
    const filtered = (): Knex.QueryBuilder => {
      const builder = this.db('products');
      if (query.q !== undefined) {
        // The columns' utf8mb4_unicode_ci collation makes LIKE case-insensitive.
        const pattern = `%${escapeLike(query.q)}%`;
        builder.where((w) => w.where('name', 'like', pattern).orWhere('sku', 'like', pattern));
      }
      return builder;
    };
    const [rows, counted] = await Promise.all([
      filtered().select(PRODUCT_COLUMNS).orderBy('id', 'asc').limit(query.limit).offset(query.offset),
      filtered().count({ total: '*' }).first(),
    ]);
    return {
      items: (rows as ProductRow[]).map(toProduct),
      total: Number((counted as { total: number | string } | undefined)?.total ?? 0),
    };
  }

  async update(id: number, changes: ProductChanges): Promise<Product | undefined> {
    const values: Partial<ProductRow> = { updated_at: changes.updatedAt };
    if (changes.sku !== undefined) values.sku = changes.sku;
    if (changes.name !== undefined) values.name = changes.name;
    if (changes.description !== undefined) values.description = changes.description;
    if (changes.price !== undefined) {
      values.price_minor = changes.price.amountMinor;
      values.currency = changes.price.currency;
    }
    if (changes.active !== undefined) values.active = changes.active;
    await this.db('products').where({ id }).update(values);
    // Re-read rather than trusting affectedRows: an update that changes nothing reports 0 on some drivers.
    return this.findById(id);
  }

  async delete(id: number): Promise<boolean> {
    // The inventory row goes with it (ON DELETE CASCADE).
    const deleted = await this.db('products').where({ id }).delete();
    return deleted > 0;
  }

  async hasOrderItems(productId: number): Promise<boolean> {
    const row: unknown = await this.db('order_items').select('id').where({ product_id: productId }).first();
    return row !== undefined;
  }

  async findStock(productId: number): Promise<Stock | undefined> {
    const row = (await this.db('products as p')
      .leftJoin('inventory as i', 'i.product_id', 'p.id')
      .select('p.id as product_id', 'i.quantity', 'i.reserved')
      .where('p.id', productId)
      .first()) as { product_id: number; quantity: number | null; reserved: number | null } | undefined;
    if (!row) return undefined;
    return { productId: row.product_id, quantity: row.quantity ?? 0, reserved: row.reserved ?? 0 };
  }

  async updateStock(productId: number, decide: (current: Stock) => number, updatedAt: Date): Promise<Stock | undefined> {
    return this.db.transaction(async (trx) => {
      // Lock order everywhere: products before inventory (orders share-lock products, then lock inventory).
      const product: unknown = await trx('products').select('id').where({ id: productId }).forShare().first();
      if (product === undefined) return undefined;
      // Creates a missing row and X-locks the existing one in one statement. (SELECT ... FOR UPDATE on a missing key
      // would take a gap lock, and two such transactions deadlock on the following insert.)
      await trx.raw(
        'INSERT INTO inventory (product_id, quantity, reserved, updated_at) VALUES (?, 0, 0, ?) ON DUPLICATE KEY UPDATE product_id = product_id',
        [productId, updatedAt],
      );
      const row = (await trx('inventory')
        .select('product_id', 'quantity', 'reserved')
        .where({ product_id: productId })
        .forUpdate()
        .first()) as StockRow | undefined;
      if (!row) throw new Error(`inventory row of product ${productId} vanished under its lock`);
      const quantity = decide({ productId, quantity: row.quantity, reserved: row.reserved });
      await trx('inventory').where({ product_id: productId }).update({ quantity, updated_at: updatedAt });
      return { productId, quantity, reserved: row.reserved };
    });
  }
}

async function findProduct(db: Knex | Knex.Transaction, id: number): Promise<Product | undefined> {
  const row = (await db('products').select(PRODUCT_COLUMNS).where({ id }).first()) as ProductRow | undefined;
  return row ? toProduct(row) : undefined;
}
