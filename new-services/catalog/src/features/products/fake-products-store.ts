import type { NewProductRecord, Product, ProductChanges, ProductListQuery, ProductsStore, Stock } from './products-store-type.js';

function driverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** The product part of a row; null in a stock-only placeholder. */
export type ProductFields = Omit<Product, 'id' | 'createdAt' | 'updatedAt'>;
export type CompleteRow = Row & { product: ProductFields };

/** A row of the in-memory `products`; FakeProductsProjection writes them too (legacy link, placeholders). */
export interface Row {
  id: number;
  legacyId: number | null;
  product: ProductFields | null;
  createdAt: Date;
  updatedAt: Date;
  quantity: number;
  reserved: number;
  stockUpdatedAt: Date | null;
  version: number;
}

/** What the database row holds beyond the public shape, for tests. */
export interface RowState {
  legacyId: number | null;
  placeholder: boolean;
  version: number;
  quantity: number;
  reserved: number;
  stockUpdatedAt: Date | null;
}

/**
 * Folds a string the way utf8mb4_unicode_ci compares it for a substring search: case and accents ignored.
 * (An approximation of the collation, close enough for the fake.)
 */
export function foldForSearch(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/**
 * In-memory store with the database's semantics (unique sku, placeholders, version bumps), for unit tests.
 * FakeProductsProjection adds the projection's writes.
 */
export class FakeProductsStore implements ProductsStore {
  protected readonly rows = new Map<number, Row>();
  /** Like AUTO_INCREMENT: always above the largest id ever stored. */
  protected nextId = 1;

  async insert(record: NewProductRecord): Promise<Product> {
    this.ensureSkuFree(record.sku, undefined);
    const row: CompleteRow = {
      id: this.nextId++,
      legacyId: null,
      product: { sku: record.sku, name: record.name, description: record.description, price: { ...record.price }, active: record.active },
      createdAt: record.createdAt,
      updatedAt: record.createdAt,
      quantity: 0,
      reserved: 0,
      stockUpdatedAt: record.createdAt,
      version: 1,
    };
    this.rows.set(row.id, row);
    return toProduct(row);
  }

  async findById(id: number): Promise<Product | undefined> {
    const row = this.complete(id);
    return row ? toProduct(row) : undefined;
  }

  async list(query: ProductListQuery): Promise<{ items: Product[]; total: number }> {
    const needle = query.q === undefined ? undefined : foldForSearch(query.q);
    const matches = [...this.rows.values()]
      .filter(isComplete)
      .filter((row) => needle === undefined || foldForSearch(row.product.name).includes(needle) || foldForSearch(row.product.sku).includes(needle))
      .sort((a, b) => a.id - b.id);
    return { items: matches.slice(query.offset, query.offset + query.limit).map(toProduct), total: matches.length };
  }

  async update(id: number, changes: ProductChanges): Promise<Product | undefined> {
    const row = this.complete(id);
    if (!row?.product) return undefined;
    if (changes.sku !== undefined) this.ensureSkuFree(changes.sku, id);
    const product = row.product;
    if (changes.sku !== undefined) product.sku = changes.sku;
    if (changes.name !== undefined) product.name = changes.name;
    if (changes.description !== undefined) product.description = changes.description;
    if (changes.price !== undefined) product.price = { ...changes.price };
    if (changes.active !== undefined) product.active = changes.active;
    row.updatedAt = changes.updatedAt;
    row.version++;
    return toProduct(row);
  }

  async delete(id: number): Promise<boolean> {
    if (!this.complete(id)) return false;
    this.rows.delete(id);
    return true;
  }

  async findStock(productId: number): Promise<Stock | undefined> {
    const row = this.complete(productId);
    return row ? { productId, quantity: row.quantity, reserved: row.reserved } : undefined;
  }

  async updateStock(productId: number, decide: (current: Stock) => number, updatedAt: Date): Promise<Stock | undefined> {
    // Synchronous from read to write, so nothing can interleave: the in-memory equivalent of the row lock.
    const row = this.complete(productId);
    if (!row) return undefined;
    const quantity = decide({ productId, quantity: row.quantity, reserved: row.reserved });
    row.quantity = quantity;
    row.stockUpdatedAt = updatedAt;
    row.version++;
    return { productId, quantity, reserved: row.reserved };
  }

  /** Test helper: the row's state beyond the public shape (placeholders included); undefined when there is no row. */
  inspect(id: number): RowState | undefined {
    const row = this.rows.get(id);
    if (!row) return undefined;
    return {
      legacyId: row.legacyId,
      placeholder: row.product === null,
      version: row.version,
      quantity: row.quantity,
      reserved: row.reserved,
      stockUpdatedAt: row.stockUpdatedAt,
    };
  }

  /** Test helper: open orders (in the monolith) hold this many units — in production only the projector sets it. */
  setReserved(productId: number, reserved: number): void {
    const row = this.rows.get(productId);
    if (!row) throw new Error(`no row ${productId}`);
    row.reserved = reserved;
    row.version++;
  }

  /** A row the public API can see. */
  private complete(id: number): CompleteRow | undefined {
    const row = this.rows.get(id);
    return row && isComplete(row) ? row : undefined;
  }

  protected ensureSkuFree(sku: string, exceptId: number | undefined): void {
    // The unique index compares like the case-insensitive collation.
    for (const row of this.rows.values()) {
      if (row.id !== exceptId && row.product && foldForSearch(row.product.sku) === foldForSearch(sku)) {
        throw driverError('ER_DUP_ENTRY', `Duplicate entry '${sku}' for key 'products_sku_unique'`);
      }
    }
  }
}

export function isComplete(row: Row): row is CompleteRow {
  return row.product !== null;
}

function toProduct(row: CompleteRow): Product {
  const p = row.product;
  return {
    id: row.id,
    sku: p.sku,
    name: p.name,
    description: p.description,
    price: { ...p.price },
    active: p.active,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
