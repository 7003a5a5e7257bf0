export interface Money {
  /** Integer amount in the currency's minor unit (cents). */
  amountMinor: number;
  /** ISO 4217 code. */
  currency: string;
}

export interface Product {
  id: number;
  sku: string;
  name: string;
  description: string;
  price: Money;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface Stock {
  productId: number;
  quantity: number;
  reserved: number;
}

export interface NewProductRecord {
  sku: string;
  name: string;
  description: string;
  price: Money;
  active: boolean;
  createdAt: Date;
}

export interface ProductChanges {
  sku?: string;
  name?: string;
  description?: string;
  price?: Money;
  active?: boolean;
  updatedAt: Date;
}

export interface ProductListQuery {
  /** Case-insensitive substring of the name or the sku, taken literally (no wildcards). */
  q?: string;
  limit: number;
  offset: number;
}

/**
 * Persistence for products and their stock. Implementations must agree on these semantics (the fake mirrors the database):
 * - skus are unique; insert/update reject with a duplicate-key error (`isDuplicateKeyError`);
 * - a product is created together with its inventory row (quantity 0, reserved 0) and deleted with it;
 * - deleting a product that order items reference rejects with a referenced-row error (`isReferencedRowError`);
 * - a product without an inventory row (imported outside this API) has quantity 0, reserved 0;
 * - lists are ordered by id ascending.
 */
export interface ProductsStore {
  /** Inserts the product and its empty inventory row in one transaction. */
  insert(product: NewProductRecord): Promise<Product>;
  findById(id: number): Promise<Product | undefined>;
  list(query: ProductListQuery): Promise<{ items: Product[]; total: number }>;
  /** Returns the updated product, or undefined when no product has this id. */
  update(id: number, changes: ProductChanges): Promise<Product | undefined>;
  /** Returns false when no product has this id. */
  delete(id: number): Promise<boolean>;
  hasOrderItems(productId: number): Promise<boolean>;
  /** Undefined when no product has this id. */
  findStock(productId: number): Promise<Stock | undefined>;
  /**
   * Locks the product's stock, asks `decide` for the new quantity (it may throw to abort: nothing changes) and writes it,
   * all in one transaction. Undefined when no product has this id.
   */
  updateStock(productId: number, decide: (current: Stock) => number, updatedAt: Date): Promise<Stock | undefined>;
}

/** The driver error a foreign key raises when a referenced row is deleted (MySQL/MariaDB errno 1451 / 1217). */
export function isReferencedRowError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'ER_ROW_IS_REFERENCED_2' || code === 'ER_ROW_IS_REFERENCED';
}
