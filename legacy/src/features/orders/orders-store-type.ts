export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface Money {
  /** Integer amount in the currency's minor unit (cents). */
  amountMinor: number;
  /** ISO 4217 code. */
  currency: string;
}

export interface OrderItem {
  productId: number;
  quantity: number;
  /** The product's price when the order was placed; one currency per order. */
  unitPrice: Money;
}

export interface Order {
  id: number;
  userId: number;
  status: OrderStatus;
  /** In the order they were requested. */
  items: OrderItem[];
  total: Money;
  createdAt: Date;
  updatedAt: Date;
}

/** What an order needs to know about a product. */
export interface OrderableProduct {
  id: number;
  price: Money;
  active: boolean;
}

export interface StockLevel {
  productId: number;
  quantity: number;
  reserved: number;
}

export interface NewOrderRecord {
  userId: number;
  currency: string;
  totalMinor: number;
  items: Array<{ productId: number; quantity: number; unitPriceMinor: number }>;
  createdAt: Date;
}

/**
 * The reads and writes of one transaction. Lock order, always: users → products → inventory (ascending id) for placing,
 * orders → inventory (ascending id) for cancelling; nothing takes them the other way round, so they cannot deadlock.
 */
export interface OrdersTransaction {
  /** Share-locks the user row (it cannot be deleted before commit); false when there is no such user. */
  lockUser(userId: number): Promise<boolean>;
  /** Share-locks the products that exist (price and active flag hold until commit), ascending id. */
  lockProducts(productIds: readonly number[]): Promise<OrderableProduct[]>;
  /**
   * Locks the inventory rows FOR UPDATE in ascending product id, the one order every writer uses.
   * Products without an inventory row (imported outside the API) are left out: they have nothing in stock.
   */
  lockStock(productIds: readonly number[]): Promise<StockLevel[]>;
  setReserved(productId: number, reserved: number, updatedAt: Date): Promise<void>;
  insertOrder(order: NewOrderRecord): Promise<Order>;
  /** Locks the order row FOR UPDATE. */
  lockOrder(orderId: number): Promise<Order | undefined>;
  setStatus(orderId: number, status: OrderStatus, updatedAt: Date): Promise<Order>;
}

export interface OrderListQuery {
  userId: number;
  limit: number;
  offset: number;
}

/**
 * Persistence for orders. Implementations must agree on these semantics (the fake mirrors the database):
 * - `transaction` commits when `work` resolves and rolls everything back when it throws;
 * - transactions touching the same rows are serialized by the locks above;
 * - lists are newest first (id descending), items in request order.
 */
export interface OrdersStore {
  transaction<T>(work: (tx: OrdersTransaction) => Promise<T>): Promise<T>;
  findById(orderId: number): Promise<Order | undefined>;
  userExists(userId: number): Promise<boolean>;
  listByUser(query: OrderListQuery): Promise<{ items: Order[]; total: number }>;
}
