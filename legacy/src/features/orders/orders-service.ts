import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '@strangler/platform';
import type { Order, OrderStatus, OrdersStore } from './orders-store-type.js';

export interface PlaceOrderInput {
  items: Array<{ productId: number; quantity: number }>;
}

export interface ListOrdersInput {
  page: number;
  pageSize: number;
}

export interface OrderPage {
  items: Order[];
  page: number;
  pageSize: number;
  total: number;
}

export interface OrdersServiceOptions {
  /** Clock for created_at/updated_at; injectable for tests. */
  now?: () => Date;
}

/** Statuses from which an order may still be cancelled; their items hold reserved stock. */
const CANCELLABLE: ReadonlySet<OrderStatus> = new Set(['pending', 'paid']);

const orderNotFound = (id: number): NotFoundError => new NotFoundError(`Order ${id} not found`, 'ORDER_NOT_FOUND');
const userNotFound = (id: number): NotFoundError => new NotFoundError(`User ${id} not found`, 'USER_NOT_FOUND');

/**
 * The ordering rules: placing reserves stock, cancelling releases it, each in one transaction.
 * Input is already validated (see orders-schema.ts); `callerId` is the authenticated user.
 */
export class OrdersService {
  private readonly now: () => Date;

  constructor(
    private readonly store: OrdersStore,
    options: OrdersServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async place(callerId: number, input: PlaceOrderInput): Promise<Order> {
    const productIds = input.items.map((item) => item.productId);
    const duplicate = productIds.find((id, index) => productIds.indexOf(id) !== index);
    if (duplicate !== undefined) {
      throw new ValidationError(`Product ${duplicate} appears more than once; use one item with the total quantity`, 'DUPLICATE_PRODUCT');
    }
    const now = this.now();
    return this.store.transaction(async (tx) => {
      if (!(await tx.lockUser(callerId))) throw userNotFound(callerId);

      const products = new Map((await tx.lockProducts(productIds)).map((p) => [p.id, p]));
      const lines = input.items.map((item) => {
        const product = products.get(item.productId);
        if (!product) throw new NotFoundError(`Product ${item.productId} not found`, 'PRODUCT_NOT_FOUND');
        return { ...item, product };
      });
      for (const { product } of lines) {
        if (!product.active) throw new ConflictError(`Product ${product.id} is not available for sale`, 'PRODUCT_INACTIVE');
      }
      const currency = lines[0]?.product.price.currency;
      if (currency === undefined) throw new ValidationError('An order needs at least one item');
      for (const { product } of lines) {
        if (product.price.currency !== currency) {
          throw new ConflictError(
            `Product ${product.id} is priced in ${product.price.currency}, not ${currency}; an order has one currency`,
            'CURRENCY_MISMATCH',
          );
        }
      }

      // Checked only while every row is locked: nothing can take the stock between check and reservation.
      const stock = new Map((await tx.lockStock(productIds)).map((s) => [s.productId, s]));
      for (const { productId, quantity } of lines) {
        const level = stock.get(productId) ?? { quantity: 0, reserved: 0 };
        const available = level.quantity - level.reserved;
        if (available < quantity) {
          throw new ConflictError(`Only ${Math.max(available, 0)} of product ${productId} available, ${quantity} requested`, 'INSUFFICIENT_STOCK');
        }
      }
      for (const { productId, quantity } of lines) {
        await tx.setReserved(productId, (stock.get(productId)?.reserved ?? 0) + quantity, now);
      }

      const total = lines.reduce((sum, { product, quantity }) => sum + BigInt(product.price.amountMinor) * BigInt(quantity), 0n);
      // 50 items × 1000 × 10^12 could pass 2^53; JSON numbers (and the API) would silently lose precision beyond it.
      if (total > BigInt(Number.MAX_SAFE_INTEGER)) {
        throw new ConflictError('The order total is too large; split the order', 'ORDER_TOTAL_TOO_LARGE');
      }
      return tx.insertOrder({
        userId: callerId,
        currency,
        totalMinor: Number(total),
        items: lines.map(({ productId, quantity, product }) => ({ productId, quantity, unitPriceMinor: product.price.amountMinor })),
        createdAt: now,
      });
    });
  }

  /** Someone else's order is reported as missing, so order ids reveal nothing. */
  async get(callerId: number, orderId: number): Promise<Order> {
    const order = await this.store.findById(orderId);
    if (!order || order.userId !== callerId) throw orderNotFound(orderId);
    return order;
  }

  async listForUser(callerId: number, userId: number, input: ListOrdersInput): Promise<OrderPage> {
    if (callerId !== userId) throw new ForbiddenError('You may only list your own orders', 'FORBIDDEN');
    if (!(await this.store.userExists(userId))) throw userNotFound(userId);
    const { items, total } = await this.store.listByUser({
      userId,
      limit: input.pageSize,
      offset: (input.page - 1) * input.pageSize,
    });
    return { items, page: input.page, pageSize: input.pageSize, total };
  }

  /** pending|paid → cancelled, releasing the reserved stock, in one transaction. */
  async cancel(callerId: number, orderId: number): Promise<Order> {
    const now = this.now();
    return this.store.transaction(async (tx) => {
      const order = await tx.lockOrder(orderId);
      if (!order || order.userId !== callerId) throw orderNotFound(orderId);
      if (!CANCELLABLE.has(order.status)) {
        throw new ConflictError(`An order that is ${order.status} cannot be cancelled`, 'ILLEGAL_STATUS_TRANSITION');
      }
      const stock = new Map((await tx.lockStock(order.items.map((item) => item.productId))).map((s) => [s.productId, s]));
      for (const item of order.items) {
        const level = stock.get(item.productId);
        // Never below zero: the column is unsigned and data imported by hand may not add up.
        if (level) await tx.setReserved(item.productId, Math.max(level.reserved - item.quantity, 0), now);
      }
      return tx.setStatus(orderId, 'cancelled', now);
    });
  }
}
