import { isDuplicateKeyError, type Knex } from '@strangler/platform';
import {
  assertLegacyId,
  LegacyIdConflictError,
  type LegacyProductChange,
  type LegacyProductsProjection,
  type LegacyStockChange,
  type NewProductRecord,
  type Product,
  type ProductChanges,
  type ProductListQuery,
  type ProductsStore,
  type ProjectionOutcome,
  type Stock,
} from './products-store-type.js';

/** A row of catalog_svc.products. Product columns are NULL only in a stock-only placeholder. */
interface ProductRow {
  id: number;
  legacy_id: number | null;
  sku: string | null;
  name: string | null;
  description: string | null;
  price_amount_minor: number | string | null;
  price_currency: string | null;
  is_active: number | boolean;
  stock_quantity: number;
  stock_reserved: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  stock_updated_at: Date | null;
}

type CompleteRow = ProductRow & { sku: string; name: string; description: string; price_amount_minor: number | string; price_currency: string };

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

/** Every write bumps the row's version. */
const bumpVersion = (db: Knex | Knex.Transaction): Knex.Raw => db.raw('version + 1');

const MAX_UPSERT_ATTEMPTS = 3;
/** "Duplicate entry '7' for key 'PRIMARY'" (MySQL 8 prefixes the table: 'products.PRIMARY'). */
const ID_KEY = /for key '(?:[^']*\.)?(?:PRIMARY|products_legacy_id_unique)'/;

export class KnexProductsStore implements ProductsStore, LegacyProductsProjection {
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

  async upsertProductFromLegacy(change: LegacyProductChange): Promise<ProjectionOutcome> {
    const id = assertLegacyId(change.legacyId);
    const values = {
      sku: change.sku,
      name: change.name,
      description: change.description,
      price_amount_minor: change.priceMinor,
      price_currency: change.currency,
      is_active: change.active,
      created_at: change.createdAt,
      updated_at: change.updatedAt,
    };
    return this.upsert(id, async (trx, row) => {
      if (!row) {
        await trx('products').insert({ id, legacy_id: id, ...values, version: 1 });
        return 'inserted';
      }
      // A placeholder has no product state yet: anything fills it.
      if (row.sku !== null) {
        if (change.updatedAt.getTime() < row.updated_at.getTime()) return 'stale';
        if (sameProduct(row as CompleteRow, change)) return 'unchanged';
      }
      await trx('products').where({ id }).update({ ...values, version: bumpVersion(trx) });
      return 'updated';
    });
  }

  async upsertStockFromLegacy(change: LegacyStockChange): Promise<ProjectionOutcome> {
    const id = assertLegacyId(change.legacyProductId);
    const values = { stock_quantity: change.quantity, stock_reserved: change.reserved, stock_updated_at: change.updatedAt };
    return this.upsert(id, async (trx, row) => {
      if (!row) {
        // The product event is still to come: keep the stock in a placeholder it will fill in.
        await trx('products').insert({ id, legacy_id: id, ...values, version: 1, created_at: change.updatedAt, updated_at: change.updatedAt });
        return 'inserted';
      }
      if (row.stock_updated_at !== null) {
        if (change.updatedAt.getTime() < row.stock_updated_at.getTime()) return 'stale';
        if (
          row.stock_quantity === change.quantity &&
          row.stock_reserved === change.reserved &&
          row.stock_updated_at.getTime() === change.updatedAt.getTime()
        ) {
          return 'unchanged';
        }
      }
      await trx('products').where({ id }).update({ ...values, version: bumpVersion(trx) });
      return 'updated';
    });
  }

  async deleteByLegacyId(legacyId: number): Promise<boolean> {
    const deleted = await this.db('products').where({ legacy_id: assertLegacyId(legacyId) }).delete();
    return deleted > 0;
  }

  /**
   * Locks the row with this id (if any) and lets `apply` decide, in one transaction. READ COMMITTED: locking a missing
   * id then takes no gap lock (under REPEATABLE READ, concurrent first events for neighbouring ids would deadlock on
   * the shared gap). Two first events for one id racing to insert: the loser gets a duplicate key on the id, runs
   * again and finds the row.
   */
  private async upsert(
    id: number,
    apply: (trx: Knex.Transaction, row: ProductRow | undefined) => Promise<ProjectionOutcome>,
  ): Promise<ProjectionOutcome> {
    const locked = async (trx: Knex.Transaction) => {
      const row = (await trx('products').where({ id }).forUpdate().first()) as ProductRow | undefined;
      if (row && row.legacy_id === null) throw new LegacyIdConflictError(id);
      return apply(trx, row);
    };
    // On the caller's transaction (the CDC projector's batch): no nested transaction and no retry. After a deadlock
    // InnoDB has already rolled the caller's whole transaction back, so a retry here would write outside it; the
    // caller owns the retry (and the undo of this record, by its savepoint).
    if (this.db.isTransaction) return locked(this.db as Knex.Transaction);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(locked, { isolationLevel: 'read committed' });
      } catch (error) {
        if (attempt >= MAX_UPSERT_ATTEMPTS || !this.lostInsertRace(error)) throw error;
      }
    }
  }

  /** A deadlock, or a duplicate key on the id itself (not on the sku: that is a real conflict, retrying cannot help). */
  private lostInsertRace(error: unknown): boolean {
    const { code, sqlMessage } = (error ?? {}) as { code?: unknown; sqlMessage?: unknown };
    if (code === 'ER_LOCK_DEADLOCK') return true;
    return isDuplicateKeyError(error) && typeof sqlMessage === 'string' && ID_KEY.test(sqlMessage);
  }

  private async findIn(db: Knex | Knex.Transaction, id: number): Promise<Product | undefined> {
    const row = (await this.products(db).select(PRODUCT_COLUMNS).where({ id }).first()) as CompleteRow | undefined;
    return row ? toProduct(row) : undefined;
  }
}

function sameProduct(row: CompleteRow, change: LegacyProductChange): boolean {
  return (
    row.sku === change.sku &&
    row.name === change.name &&
    row.description === change.description &&
    Number(row.price_amount_minor) === change.priceMinor &&
    row.price_currency === change.currency &&
    Boolean(row.is_active) === change.active &&
    row.created_at.getTime() === change.createdAt.getTime() &&
    row.updated_at.getTime() === change.updatedAt.getTime()
  );
}
