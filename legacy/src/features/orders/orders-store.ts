import type { Knex } from '@strangler/platform';
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

interface OrderRow {
  id: number;
  user_id: number;
  status: OrderStatus;
  total_minor: number | string;
  currency: string;
  created_at: Date;
  updated_at: Date;
}

interface ItemRow {
  order_id: number;
  product_id: number;
  quantity: number;
  unit_price_minor: number | string;
  currency: string;
}

const ORDER_COLUMNS = ['o.id', 'o.user_id', 'o.status', 'o.total_minor', 'o.currency', 'o.created_at', 'o.updated_at'];

type Db = Knex | Knex.Transaction;

/** Attaches the items of all given orders, fetched in one query (no N+1). */
async function withItems(db: Db, rows: OrderRow[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  // The monolith joins the catalog here; the order's currency is the one its items were priced in.
  const itemRows = (await db('order_items as oi')
    .join('orders as o', 'o.id', 'oi.order_id')
    .join('products as p', 'p.id', 'oi.product_id')
    .select('oi.order_id', 'oi.product_id', 'oi.quantity', 'oi.unit_price_minor', 'o.currency')
    .whereIn(
      'oi.order_id',
      rows.map((row) => row.id),
    )
    .orderBy('oi.id', 'asc')) as ItemRow[];
  const itemsByOrder = new Map<number, Order['items']>();
  for (const item of itemRows) {
    const items = itemsByOrder.get(item.order_id) ?? [];
    items.push({
      productId: item.product_id,
      quantity: item.quantity,
      unitPrice: { amountMinor: Number(item.unit_price_minor), currency: item.currency },
    });
    itemsByOrder.set(item.order_id, items);
  }
  return rows.map((row) => ({
    id: row.id,
    userId: row.user_id,
    status: row.status,
    items: itemsByOrder.get(row.id) ?? [],
    // BIGINT arrives as a string only beyond 2^53; the service keeps totals below that.
    total: { amountMinor: Number(row.total_minor), currency: row.currency },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }));
}

async function findOrder(db: Db, orderId: number, lock: boolean): Promise<Order | undefined> {
  const query = db('orders as o').select(ORDER_COLUMNS).where('o.id', orderId);
  if (lock) query.forUpdate();
  const row = (await query.first()) as OrderRow | undefined;
  if (!row) return undefined;
  const [order] = await withItems(db, [row]);
  return order;
}

class KnexOrdersTransaction implements OrdersTransaction {
  constructor(private readonly trx: Knex.Transaction) {}

  async lockUser(userId: number): Promise<boolean> {
    const row: unknown = await this.trx('users').select('id').where({ id: userId }).forShare().first();
    return row !== undefined;
  }

  async lockProducts(productIds: readonly number[]): Promise<OrderableProduct[]> {
    const rows = (await this.trx('products')
      .select('id', 'price_minor', 'currency', 'active')
      .whereIn('id', [...productIds])
      .orderBy('id', 'asc')
      .forShare()) as Array<{ id: number; price_minor: number | string; currency: string; active: number | boolean }>;
    return rows.map((row) => ({
      id: row.id,
      price: { amountMinor: Number(row.price_minor), currency: row.currency },
      active: Boolean(row.active),
    }));
  }

  async lockStock(productIds: readonly number[]): Promise<StockLevel[]> {
    if (productIds.length === 0) return [];
    const rows = (await this.trx('inventory')
      .select('product_id', 'quantity', 'reserved')
      .whereIn('product_id', [...productIds])
      .orderBy('product_id', 'asc')
      .forUpdate()) as Array<{ product_id: number; quantity: number; reserved: number }>;
    return rows.map((row) => ({ productId: row.product_id, quantity: row.quantity, reserved: row.reserved }));
  }

  async setReserved(productId: number, reserved: number, updatedAt: Date): Promise<void> {
    await this.trx('inventory').where({ product_id: productId }).update({ reserved, updated_at: updatedAt });
  }

  async insertOrder(order: NewOrderRecord): Promise<Order> {
    const [id] = await this.trx('orders').insert({
      user_id: order.userId,
      status: 'pending',
      total_minor: order.totalMinor,
      currency: order.currency,
      created_at: order.createdAt,
      updated_at: order.createdAt,
    });
    const orderId = Number(id);
    await this.trx('order_items').insert(
      order.items.map((item) => ({
        order_id: orderId,
        product_id: item.productId,
        quantity: item.quantity,
        unit_price_minor: item.unitPriceMinor,
      })),
    );
    const created = await findOrder(this.trx, orderId, false);
    if (!created) throw new Error(`order ${orderId} vanished right after insert`);
    return created;
  }

  lockOrder(orderId: number): Promise<Order | undefined> {
    return findOrder(this.trx, orderId, true);
  }

  async setStatus(orderId: number, status: OrderStatus, updatedAt: Date): Promise<Order> {
    await this.trx('orders').where({ id: orderId }).update({ status, updated_at: updatedAt });
    const order = await findOrder(this.trx, orderId, false);
    if (!order) throw new Error(`order ${orderId} vanished under its lock`);
    return order;
  }
}

export class KnexOrdersStore implements OrdersStore {
  constructor(private readonly db: Knex) {}

  transaction<T>(work: (tx: OrdersTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction((trx) => work(new KnexOrdersTransaction(trx)));
  }

  findById(orderId: number): Promise<Order | undefined> {
    return findOrder(this.db, orderId, false);
  }

  async userExists(userId: number): Promise<boolean> {
    const row: unknown = await this.db('users').select('id').where({ id: userId }).first();
    return row !== undefined;
  }

  async listByUser(query: OrderListQuery): Promise<{ items: Order[]; total: number }> {
    const owned = (): Knex.QueryBuilder => this.db('orders as o').join('users as u', 'u.id', 'o.user_id').where('o.user_id', query.userId);
    const [rows, counted] = await Promise.all([
      owned().select(ORDER_COLUMNS).orderBy('o.id', 'desc').limit(query.limit).offset(query.offset),
      owned().count({ total: '*' }).first(),
    ]);
    return {
      items: await withItems(this.db, rows as OrderRow[]),
      total: Number((counted as { total: number | string } | undefined)?.total ?? 0),
    };
  }
}
