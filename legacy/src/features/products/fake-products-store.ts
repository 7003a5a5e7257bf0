import type { NewProductRecord, Product, ProductChanges, ProductListQuery, ProductsStore, Stock } from './products-store-type.js';

function driverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** In-memory ProductsStore with the database's semantics (unique sku, cascade, restrict), for unit tests. */
export class FakeProductsStore implements ProductsStore {
  private readonly products = new Map<number, Product>();
  private readonly stock = new Map<number, Omit<Stock, 'productId'>>();
  /** Products that order items reference (the orders feature owns those rows; tests mark them). */
  private readonly ordered = new Set<number>();
  private nextId = 1;

  async insert(record: NewProductRecord): Promise<Product> {
    this.ensureSkuFree(record.sku);
    const product: Product = {
      id: this.nextId++,
      sku: record.sku,
      name: record.name,
      description: record.description,
      price: { ...record.price },
      active: record.active,
      createdAt: record.createdAt,
      updatedAt: record.createdAt,
    };
    this.products.set(product.id, product);
    this.stock.set(product.id, { quantity: 0, reserved: 0 });
    return clone(product);
  }

  async findById(id: number): Promise<Product | undefined> {
    const product = this.products.get(id);
    return product ? clone(product) : undefined;
  }

  async list(query: ProductListQuery): Promise<{ items: Product[]; total: number }> {
    const needle = query.q?.toLowerCase();
    const matches = [...this.products.values()]
      .filter((p) => needle === undefined || p.name.toLowerCase().includes(needle) || p.sku.toLowerCase().includes(needle))
      .sort((a, b) => a.id - b.id);
    return { items: matches.slice(query.offset, query.offset + query.limit).map(clone), total: matches.length };
  }

  async update(id: number, changes: ProductChanges): Promise<Product | undefined> {
    const product = this.products.get(id);
    if (!product) return undefined;
    if (changes.sku !== undefined && changes.sku !== product.sku) this.ensureSkuFree(changes.sku);
    if (changes.sku !== undefined) product.sku = changes.sku;
    if (changes.name !== undefined) product.name = changes.name;
    if (changes.description !== undefined) product.description = changes.description;
    if (changes.price !== undefined) product.price = { ...changes.price };
    if (changes.active !== undefined) product.active = changes.active;
    product.updatedAt = changes.updatedAt;
    return clone(product);
  }

  async delete(id: number): Promise<boolean> {
    if (!this.products.has(id)) return false;
    if (this.ordered.has(id)) throw driverError('ER_ROW_IS_REFERENCED_2', 'Cannot delete or update a parent row');
    this.products.delete(id);
    this.stock.delete(id);
    return true;
  }

  async hasOrderItems(productId: number): Promise<boolean> {
    return this.ordered.has(productId);
  }

  async findStock(productId: number): Promise<Stock | undefined> {
    return this.readStock(productId);
  }

  async updateStock(productId: number, decide: (current: Stock) => number): Promise<Stock | undefined> {
    // Synchronous from read to write, so nothing can interleave: the in-memory equivalent of the row lock.
    const current = this.readStock(productId);
    if (!current) return undefined;
    const quantity = decide(current);
    this.stock.set(productId, { quantity, reserved: current.reserved });
    return { productId, quantity, reserved: current.reserved };
  }

  /** Test helper: order items now reference this product (deleting it is refused). */
  markOrdered(productId: number): void {
    this.ordered.add(productId);
  }

  /** Test helper: open orders hold this many units. */
  setReserved(productId: number, reserved: number): void {
    const current = this.stock.get(productId) ?? { quantity: 0, reserved: 0 };
    this.stock.set(productId, { ...current, reserved });
  }

  private readStock(productId: number): Stock | undefined {
    if (!this.products.has(productId)) return undefined;
    return { productId, ...(this.stock.get(productId) ?? { quantity: 0, reserved: 0 }) };
  }

  private ensureSkuFree(sku: string): void {
    // Skus are upper case by schema; compare like the case-insensitive collation anyway.
    for (const product of this.products.values()) {
      if (product.sku.toLowerCase() === sku.toLowerCase()) throw driverError('ER_DUP_ENTRY', `Duplicate entry '${sku}'`);
    }
  }
}

function clone(product: Product): Product {
  return { ...product, price: { ...product.price } };
}
