import type {
  NewOrderRecord,
  Order,
  OrderableProduct,
  OrderListQuery,
  OrdersStore,
  OrdersTransaction,
  OrderStatus,
  StockLevel,
} from './orders-store-type.js';

interface FakeTables {
  users: Set<number>;
  products: Map<number, OrderableProduct>;
  inventory: Map<number, { quantity: number; reserved: number }>;
  orders: Map<number, Order>;
  nextOrderId: number;
}

function cloneOrder(order: Order): Order {
  return { ...order, items: order.items.map((item) => ({ ...item, unitPrice: { ...item.unitPrice } })), total: { ...order.total } };
}

/**
 * In-memory OrdersStore with the database's semantics, for unit tests. Transactions run one at a time (the row locks,
 * coarsened) and a throw restores the tables as they were (the rollback).
 */
export class FakeOrdersStore implements OrdersStore {
  private tables: FakeTables = {
    users: new Set(),
    products: new Map(),
    inventory: new Map(),
    orders: new Map(),
    nextOrderId: 1,
  };
  private queue: Promise<unknown> = Promise.resolve();

  transaction<T>(work: (tx: OrdersTransaction) => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const snapshot = structuredClone(this.tables);
      try {
        return await work(this.transactionView());
      } catch (error) {
        this.tables = snapshot;
        throw error;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async findById(orderId: number): Promise<Order | undefined> {
    const order = this.tables.orders.get(orderId);
    return order ? cloneOrder(order) : undefined;
  }

  async userExists(userId: number): Promise<boolean> {
    return this.tables.users.has(userId);
  }

  async listByUser(query: OrderListQuery): Promise<{ items: Order[]; total: number }> {
    const owned = [...this.tables.orders.values()].filter((o) => o.userId === query.userId).sort((a, b) => b.id - a.id);
    return { items: owned.slice(query.offset, query.offset + query.limit).map(cloneOrder), total: owned.length };
  }

  // Test helpers: the rows other features own.

  addUser(userId: number): void {
    this.tables.users.add(userId);
  }

  removeUser(userId: number): void {
    this.tables.users.delete(userId);
  }

  addProduct(product: { id: number; amountMinor: number; currency?: string; active?: boolean; quantity?: number; reserved?: number }): void {
    this.tables.products.set(product.id, {
      id: product.id,
      price: { amountMinor: product.amountMinor, currency: product.currency ?? 'EUR' },
      active: product.active ?? true,
    });
    if (product.quantity !== undefined) {
      this.tables.inventory.set(product.id, { quantity: product.quantity, reserved: product.reserved ?? 0 });
    }
  }

  setPrice(productId: number, amountMinor: number): void {
    const product = this.tables.products.get(productId);
    if (product) product.price = { ...product.price, amountMinor };
  }

  stockOf(productId: number): { quantity: number; reserved: number } | undefined {
    const level = this.tables.inventory.get(productId);
    return level ? { ...level } : undefined;
  }

  setStatus(orderId: number, status: OrderStatus): void {
    const order = this.tables.orders.get(orderId);
    if (order) order.status = status;
  }

  orderCount(): number {
    return this.tables.orders.size;
  }

  private transactionView(): OrdersTransaction {
    // Reads `this.tables` on every call: a rollback replaces the object.
    return {
      lockUser: async (userId) => {
        return this.tables.users.has(userId);
      },
      lockProducts: async (productIds) => {
        return [...new Set(productIds)]
          .sort((a, b) => a - b)
          .flatMap((id) => {
            const product = this.tables.products.get(id);
            return product ? [{ ...product, price: { ...product.price } }] : [];
          });
      },
      lockStock: async (productIds) => {
        return [...new Set(productIds)].sort((a, b) => a - b).flatMap((productId): StockLevel[] => {
          const level = this.tables.inventory.get(productId);
          return level ? [{ productId, ...level }] : [];
        });
      },
      setReserved: async (productId, reserved) => {
        const level = this.tables.inventory.get(productId);
        if (!level) return;
        if (reserved < 0) throw new Error('reserved is unsigned');
        level.reserved = reserved;
      },
      insertOrder: async (record: NewOrderRecord) => {
        const order: Order = {
          id: this.tables.nextOrderId++,
          userId: record.userId,
          status: 'pending',
          items: record.items.map((item) => ({
            productId: item.productId,
            quantity: item.quantity,
            unitPrice: { amountMinor: item.unitPriceMinor, currency: record.currency },
          })),
          total: { amountMinor: record.totalMinor, currency: record.currency },
          createdAt: record.createdAt,
          updatedAt: record.createdAt,
        };
        this.tables.orders.set(order.id, order);
        return cloneOrder(order);
      },
      lockOrder: async (orderId) => {
        const order = this.tables.orders.get(orderId);
        return order ? cloneOrder(order) : undefined;
      },
      setStatus: async (orderId, status, updatedAt) => {
        const order = this.tables.orders.get(orderId);
        if (!order) throw new Error(`order ${orderId} does not exist`);
        order.status = status;
        order.updatedAt = updatedAt;
        return cloneOrder(order);
      },
    };
  }
}
