/** A stored product, in the API's terms. */
export interface StoredProduct {
  sku: string;
  name: string;
  description: string;
  priceMinor: number;
  currency: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface StoredStock {
  quantity: number;
  reserved: number;
}

/**
 * What the catalog conformance suite reads behind the API, to check what a request stored (or that it stored nothing);
 * one adapter per implementation's tables. Its one write backdates a product, which neither the API nor a provider
 * state can do.
 */
export interface CatalogStorage {
  product(id: number): Promise<StoredProduct | undefined>;
  /** The product's stock record, undefined where it has none (never set, or no product). */
  stock(id: number): Promise<StoredStock | undefined>;
  /** How many products are stored, and how many stock records. */
  counts(): Promise<{ products: number; stock: number }>;
  /** Moves the product's createdAt and updatedAt back to `at`, so that a later change's timestamp is visibly new. */
  backdate(id: number, at: Date): Promise<void>;
}

/** The columns a products row keeps the price and the active flag in (the rest are named alike everywhere). */
export interface ProductColumns {
  priceMinor: string;
  currency: string;
  active: string;
}

export function storedProduct(row: Record<string, unknown>, columns: ProductColumns): StoredProduct {
  return {
    sku: row.sku as string,
    name: row.name as string,
    description: row.description as string,
    priceMinor: row[columns.priceMinor] as number,
    currency: row[columns.currency] as string,
    active: Boolean(row[columns.active]),
    createdAt: (row.created_at as Date).toISOString(),
    updatedAt: (row.updated_at as Date).toISOString(),
  };
}
