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
  /** Case- (and accent-) insensitive substring of the name or the sku, taken literally (no wildcards). */
  q?: string;
  limit: number;
  offset: number;
}

/**
 * Persistence for products and their stock, as the public API sees them. Implementations must agree on these
 * semantics (the fake mirrors the database):
 * - skus are unique, case-insensitively; insert/update reject with a duplicate-key error (`isDuplicateKeyError`);
 * - a product carries its stock (quantity 0, reserved 0 until set); deleting the product deletes its stock;
 * - every write bumps the row's version;
 * - stock-only placeholders (rows the CDC projection keeps stock in, see src/projection) do not exist for these methods;
 * - lists are ordered by id ascending; search compares like utf8mb4_unicode_ci (case- and accent-insensitive).
 * Unlike legacy's store there is no `hasOrderItems`: orders live in the monolith, this database cannot know them.
 */
export interface ProductsStore {
  insert(product: NewProductRecord): Promise<Product>;
  findById(id: number): Promise<Product | undefined>;
  list(query: ProductListQuery): Promise<{ items: Product[]; total: number }>;
  /** Returns the updated product, or undefined when no product has this id. */
  update(id: number, changes: ProductChanges): Promise<Product | undefined>;
  /** Returns false when no product has this id. */
  delete(id: number): Promise<boolean>;
  /** Undefined when no product has this id. */
  findStock(productId: number): Promise<Stock | undefined>;
  /**
   * Locks the product's row, asks `decide` for the new quantity (it may throw to abort: nothing changes) and writes it,
   * all in one transaction. Undefined when no product has this id.
   */
  updateStock(productId: number, decide: (current: Stock) => number, updatedAt: Date): Promise<Stock | undefined>;
}
