import { ConflictError, NotFoundError, isDuplicateKeyError } from '@strangler/platform';
import type { Money, Product, ProductsStore, Stock } from './products-store-type.js';

export interface CreateProductInput {
  sku: string;
  name: string;
  description: string;
  price: Money;
  active: boolean;
}

export type UpdateProductInput = Partial<CreateProductInput>;

export interface ListProductsInput {
  q?: string;
  page: number;
  pageSize: number;
}

export interface ProductPage {
  items: Product[];
  page: number;
  pageSize: number;
  total: number;
}

export interface ProductsServiceOptions {
  /** Clock for created_at/updated_at; injectable for tests. */
  now?: () => Date;
}

const skuTaken = (sku: string | undefined): ConflictError =>
  new ConflictError(sku ? `SKU ${sku} is already taken` : 'SKU is already taken', 'SKU_TAKEN');
const productNotFound = (id: number): NotFoundError => new NotFoundError(`Product ${id} not found`, 'PRODUCT_NOT_FOUND');

/** The catalog and stock rules, as legacy has them. Input is already validated (see products-schema.ts). */
export class ProductsService {
  private readonly now: () => Date;

  constructor(
    private readonly store: ProductsStore,
    options: ProductsServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async create(input: CreateProductInput): Promise<Product> {
    try {
      // The unique index decides, which also covers two concurrent creates of one sku.
      return await this.store.insert({ ...input, createdAt: this.now() });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw skuTaken(input.sku);
      throw error;
    }
  }

  async get(id: number): Promise<Product> {
    const product = await this.store.findById(id);
    if (!product) throw productNotFound(id);
    return product;
  }

  async list(input: ListProductsInput): Promise<ProductPage> {
    const { items, total } = await this.store.list({
      q: input.q,
      limit: input.pageSize,
      offset: (input.page - 1) * input.pageSize,
    });
    return { items, page: input.page, pageSize: input.pageSize, total };
  }

  async update(id: number, input: UpdateProductInput): Promise<Product> {
    let updated: Product | undefined;
    try {
      updated = await this.store.update(id, { ...input, updatedAt: this.now() });
    } catch (error) {
      // A taken sku on an unknown product is still a 404: existence is reported before conflicts.
      if (isDuplicateKeyError(error)) {
        if (!(await this.store.findById(id))) throw productNotFound(id);
        throw skuTaken(input.sku);
      }
      throw error;
    }
    if (!updated) throw productNotFound(id);
    return updated;
  }

  /**
   * Differs from legacy on purpose: legacy refuses with 409 PRODUCT_HAS_ORDERS when order items reference the product.
   * Orders live in the monolith, so this service cannot know; writes therefore stay routed to legacy until the orders
   * slice is extracted (see README.md). Here a delete only needs the product to exist.
   */
  async delete(id: number): Promise<void> {
    if (!(await this.store.delete(id))) throw productNotFound(id);
  }

  async getStock(productId: number): Promise<Stock> {
    const stock = await this.store.findStock(productId);
    if (!stock) throw productNotFound(productId);
    return stock;
  }

  /** Sets the on-hand quantity; it may never drop below what open orders have reserved. */
  async setStock(productId: number, quantity: number): Promise<Stock> {
    const stock = await this.store.updateStock(
      productId,
      (current) => {
        if (quantity < current.reserved) {
          throw new ConflictError(
            `Quantity ${quantity} is below the ${current.reserved} units reserved by open orders`,
            'STOCK_BELOW_RESERVED',
          );
        }
        return quantity;
      },
      this.now(),
    );
    if (!stock) throw productNotFound(productId);
    return stock;
  }
}
