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

function driverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** The product part of a row; null in a stock-only placeholder. */
type ProductFields = Omit<Product, 'id' | 'createdAt' | 'updatedAt'>;
type CompleteRow = Row & { product: ProductFields };

interface Row {
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

/** In-memory store with the database's semantics (unique sku, placeholders, version bumps), for unit tests. */
export class FakeProductsStore implements ProductsStore, LegacyProductsProjection {
  private readonly rows = new Map<number, Row>();
  /** Like AUTO_INCREMENT: always above the largest id ever stored. */
  private nextId = 1;

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

  async upsertProductFromLegacy(change: LegacyProductChange): Promise<ProjectionOutcome> {
    const id = assertLegacyId(change.legacyId);
    const row = this.projected(id);
    const fields: ProductFields = {
      sku: change.sku,
      name: change.name,
      description: change.description,
      price: { amountMinor: change.priceMinor, currency: change.currency },
      active: change.active,
    };
    if (row && isComplete(row)) {
      if (change.updatedAt.getTime() < row.updatedAt.getTime()) return 'stale';
      if (sameProduct(row, fields, change)) return 'unchanged';
    }
    this.ensureSkuFree(change.sku, id);
    if (!row) {
      this.rows.set(id, { id, legacyId: id, product: fields, createdAt: change.createdAt, updatedAt: change.updatedAt, quantity: 0, reserved: 0, stockUpdatedAt: null, version: 1 });
      this.nextId = Math.max(this.nextId, id + 1);
      return 'inserted';
    }
    Object.assign(row, { product: fields, createdAt: change.createdAt, updatedAt: change.updatedAt, version: row.version + 1 });
    return 'updated';
  }

  async upsertStockFromLegacy(change: LegacyStockChange): Promise<ProjectionOutcome> {
    const id = assertLegacyId(change.legacyProductId);
    const row = this.projected(id);
    const stock = { quantity: change.quantity, reserved: change.reserved, stockUpdatedAt: change.updatedAt };
    if (!row) {
      this.rows.set(id, { id, legacyId: id, product: null, createdAt: change.updatedAt, updatedAt: change.updatedAt, ...stock, version: 1 });
      this.nextId = Math.max(this.nextId, id + 1);
      return 'inserted';
    }
    if (row.stockUpdatedAt !== null) {
      if (change.updatedAt.getTime() < row.stockUpdatedAt.getTime()) return 'stale';
      if (row.quantity === change.quantity && row.reserved === change.reserved && row.stockUpdatedAt.getTime() === change.updatedAt.getTime()) {
        return 'unchanged';
      }
    }
    Object.assign(row, { ...stock, version: row.version + 1 });
    return 'updated';
  }

  async deleteByLegacyId(legacyId: number): Promise<boolean> {
    const row = this.rows.get(assertLegacyId(legacyId));
    if (row?.legacyId !== legacyId) return false;
    this.rows.delete(row.id);
    return true;
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

  /** The row a legacy id maps to; a row of this service's own with that id is a conflict. */
  private projected(id: number): Row | undefined {
    const row = this.rows.get(id);
    if (row && row.legacyId === null) throw new LegacyIdConflictError(id);
    return row;
  }

  private ensureSkuFree(sku: string, exceptId: number | undefined): void {
    // The unique index compares like the case-insensitive collation.
    for (const row of this.rows.values()) {
      if (row.id !== exceptId && row.product && foldForSearch(row.product.sku) === foldForSearch(sku)) {
        throw driverError('ER_DUP_ENTRY', `Duplicate entry '${sku}' for key 'products_sku_unique'`);
      }
    }
  }
}

function isComplete(row: Row): row is CompleteRow {
  return row.product !== null;
}

function sameProduct(row: CompleteRow, fields: ProductFields, change: LegacyProductChange): boolean {
  const p = row.product;
  return (
    p.sku === fields.sku &&
    p.name === fields.name &&
    p.description === fields.description &&
    p.price.amountMinor === fields.price.amountMinor &&
    p.price.currency === fields.price.currency &&
    p.active === fields.active &&
    row.createdAt.getTime() === change.createdAt.getTime() &&
    row.updatedAt.getTime() === change.updatedAt.getTime()
  );
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
