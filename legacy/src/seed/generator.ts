import { createRng, type Rng, type Weighted } from './random.js';

/**
 * Pure, deterministic demo data for the legacy schema: the same options always yield the same rows, in the same order.
 * Rows are snake_case insert rows with explicit ids (1..n in insertion order), so foreign keys are known without
 * reading anything back and the data does not depend on the table's AUTO_INCREMENT state.
 * Orders and their items are streamed; only users' timestamps and the (small) catalog are held in memory.
 */

export const BASE_DATE = new Date('2024-01-01T00:00:00.000Z');
const BASE_MS = BASE_DATE.getTime();
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Users sign up over 2024; the catalog is built in January; orders run from February 2024 for a year. */
const USERS_FROM = BASE_MS;
const USERS_SPAN = 365 * DAY;
const PRODUCTS_FROM = BASE_MS;
const PRODUCTS_SPAN = 30 * DAY;
const ORDERS_FROM = BASE_MS + 31 * DAY;
const ORDERS_SPAN = 365 * DAY;

export const CURRENCIES = ['EUR', 'USD'] as const;
export type Currency = (typeof CURRENCIES)[number];
export type UserStatus = 'active' | 'suspended';
export type OrderStatus = 'pending' | 'paid' | 'shipped' | 'cancelled';

export interface SeedSizes {
  users: number;
  products: number;
  orders: number;
}

export interface GeneratorOptions extends SeedSizes {
  seed: number;
  /** Stored for every user: one hash of the shared demo password (see seed-writer.ts). */
  passwordHash: string;
}

export interface UserRow {
  id: number;
  email: string;
  full_name: string;
  password_hash: string;
  status: UserStatus;
  created_at: Date;
  updated_at: Date;
}

export interface ProductRow {
  id: number;
  sku: string;
  name: string;
  description: string;
  price_minor: number;
  currency: Currency;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface InventoryRow {
  product_id: number;
  quantity: number;
  reserved: number;
  updated_at: Date;
}

export interface OrderRow {
  id: number;
  user_id: number;
  status: OrderStatus;
  total_minor: number;
  currency: Currency;
  created_at: Date;
  updated_at: Date;
}

export interface OrderItemRow {
  id: number;
  order_id: number;
  product_id: number;
  quantity: number;
  unit_price_minor: number;
}

export interface GeneratedOrder {
  order: OrderRow;
  items: OrderItemRow[];
}

export type SeedTable = 'users' | 'products' | 'inventory' | 'orders' | 'order_items';
/** Foreign-key order: every table only references tables before it. */
export const SEED_TABLES: readonly SeedTable[] = ['users', 'products', 'orders', 'order_items', 'inventory'];
export type SeedCounts = Record<SeedTable, number>;

/** Statuses whose items hold stock: reserved = Σ quantity of their items. */
export const RESERVING_STATUSES: readonly OrderStatus[] = ['pending', 'paid'];

const FIRST_NAMES = [
  'Anna', 'Ben', 'Chloé', 'David', 'Elena', 'Felix', 'Greta', 'Hugo', 'Ines', 'Jonas', 'Karin', 'Liam', 'Mia', 'Noah',
  'Olivia', 'Paul', 'Quentin', 'Rosa', 'Sofia', 'Tom', 'Ursula', 'Victor', 'Wanda', 'Xavier', 'Yara', 'Zoë', 'Amélie',
  'Björn', 'Carmen', 'Dmitri', 'Emma', 'Farah', 'Giulia', 'Hannah', 'Ivan', 'José', 'Kenji', 'Lucía', 'Mateo', 'Nora',
] as const;

const LAST_NAMES = [
  'Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Dubois', 'Martin', 'Bernard',
  'Lefèvre', 'Rossi', 'Russo', 'Bianchi', 'García', 'Fernández', 'López', 'Martínez', 'Smith', 'Johnson', 'Brown',
  'Taylor', 'Wilson', 'Jansen', 'de Vries', 'Novak', 'Kowalski', 'Nowak', 'Andersson', 'Nielsen', 'Hansen', 'Costa',
  'Silva', 'Yılmaz', 'Tanaka', 'Kim', 'Nguyen', 'Okafor', 'Haddad',
] as const;

const ADJECTIVES = [
  'Ergonomic', 'Rustic', 'Sleek', 'Compact', 'Durable', 'Handcrafted', 'Lightweight', 'Modern', 'Vintage', 'Premium',
  'Classic', 'Foldable', 'Portable', 'Minimalist', 'Sturdy', 'Elegant', 'Recycled', 'Smart', 'Cozy', 'Waterproof',
] as const;

const MATERIALS = [
  'Oak', 'Steel', 'Cotton', 'Leather', 'Bamboo', 'Ceramic', 'Glass', 'Wool', 'Aluminium', 'Linen', 'Granite', 'Copper',
] as const;

const NOUNS = [
  'Chair', 'Table', 'Lamp', 'Backpack', 'Mug', 'Kettle', 'Desk', 'Shelf', 'Blanket', 'Wallet', 'Bottle', 'Clock',
  'Vase', 'Stool', 'Notebook', 'Bench', 'Cushion', 'Tray', 'Planter', 'Speaker', 'Headphones', 'Jacket', 'Scarf', 'Bowl',
] as const;

const FEATURES = [
  'Built to last for years of daily use.',
  'Designed in Europe and assembled by hand.',
  'Easy to clean and maintain.',
  'Ships flat-packed in recyclable packaging.',
  'Comes with a two-year warranty.',
  'A customer favourite since launch.',
  'Fits neatly into small spaces.',
  'Available while stocks last.',
] as const;

const USER_STATUS: readonly Weighted<UserStatus>[] = [
  ['active', 95],
  ['suspended', 5],
];
const ORDER_STATUS: readonly Weighted<OrderStatus>[] = [
  ['pending', 10],
  ['paid', 15],
  ['shipped', 65],
  ['cancelled', 10],
];
const PRODUCT_CURRENCY: readonly Weighted<Currency>[] = [
  ['EUR', 80],
  ['USD', 20],
];
const ORDER_CURRENCY: readonly Weighted<Currency>[] = [
  ['EUR', 85],
  ['USD', 15],
];
const ITEMS_PER_ORDER: readonly Weighted<number>[] = [
  [1, 40],
  [2, 30],
  [3, 20],
  [4, 10],
];
const ITEM_QUANTITY: readonly Weighted<number>[] = [
  [1, 60],
  [2, 25],
  [3, 10],
  [5, 5],
];
/** Price tiers in whole currency units; prices end in .99. */
const PRICE_TIERS: readonly Weighted<readonly [number, number]>[] = [
  [[2, 30], 50],
  [[30, 200], 35],
  [[200, 1000], 15],
];

/** "Zoë" → "zoe", "de Vries" → "devries": the ASCII local part of an email. */
function emailPart(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ı/g, 'i')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * Timestamp of the i-th of n events spread over [from, from + span): one random moment in the i-th slot,
 * so timestamps never decrease with the id, like rows that really arrived over time.
 */
function slotTime(rng: Rng, i: number, n: number, from: number, span: number): number {
  const slot = span / n;
  return from + Math.floor(i * slot + rng.next() * slot);
}

export interface SeedPlan {
  readonly options: GeneratorOptions;
  /** created_at (epoch ms) of user id i+1; non-decreasing. */
  readonly userCreatedAt: Float64Array;
  readonly products: readonly ProductRow[];
  /** Indexes into `products`, per currency, for picking an order's items. */
  readonly productsByCurrency: Readonly<Record<Currency, readonly number[]>>;
}

function assertSizes(options: GeneratorOptions): void {
  for (const key of ['users', 'products', 'orders'] as const) {
    const value = options[key];
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer, got ${value}`);
  }
  if (options.orders > 0 && (options.users === 0 || options.products === 0)) {
    throw new RangeError('orders need at least one user and one product');
  }
  if (!Number.isInteger(options.seed)) throw new RangeError(`seed must be an integer, got ${options.seed}`);
}

/** The small, shared part of the data set (users' timestamps and the catalog), from which every table is derived. */
export function createSeedPlan(options: GeneratorOptions): SeedPlan {
  assertSizes(options);
  const userTimes = createRng(options.seed, 'users.created_at');
  const userCreatedAt = new Float64Array(options.users);
  for (let i = 0; i < options.users; i++) userCreatedAt[i] = slotTime(userTimes, i, options.users, USERS_FROM, USERS_SPAN);

  const rng = createRng(options.seed, 'products');
  const products: ProductRow[] = [];
  const productsByCurrency: Record<Currency, number[]> = { EUR: [], USD: [] };
  for (let i = 0; i < options.products; i++) {
    const id = i + 1;
    const adjective = rng.pick(ADJECTIVES);
    const material = rng.pick(MATERIALS);
    const noun = rng.pick(NOUNS);
    const [low, high] = rng.weighted(PRICE_TIERS);
    const currency = rng.weighted(PRODUCT_CURRENCY);
    const createdAt = slotTime(rng, i, options.products, PRODUCTS_FROM, PRODUCTS_SPAN);
    // Most products were edited later (price or copy changes).
    const updatedAt = rng.chance(0.3) ? createdAt : createdAt + rng.int(MINUTE, 300 * DAY);
    products.push({
      id,
      sku: `SKU-${String(id).padStart(6, '0')}`,
      name: `${adjective} ${material} ${noun}`,
      description: `${adjective} ${noun.toLowerCase()} made of ${material.toLowerCase()}. ${rng.pick(FEATURES)}`,
      price_minor: rng.int(low, high) * 100 - 1,
      currency,
      active: rng.chance(0.9),
      created_at: new Date(createdAt),
      updated_at: new Date(updatedAt),
    });
    productsByCurrency[currency].push(i);
  }
  return { options, userCreatedAt, products, productsByCurrency };
}

export function* generateUsers(plan: SeedPlan): Generator<UserRow> {
  const rng = createRng(plan.options.seed, 'users');
  for (let i = 0; i < plan.options.users; i++) {
    const id = i + 1;
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const status = rng.weighted(USER_STATUS);
    const createdAt = plan.userCreatedAt[i] as number;
    const updatedAt =
      status === 'suspended'
        ? createdAt + rng.int(DAY, 200 * DAY)
        : rng.chance(0.8)
          ? createdAt
          : createdAt + rng.int(MINUTE, 180 * DAY);
    yield {
      id,
      // The id keeps emails unique however often a name repeats.
      email: `${emailPart(first)}.${emailPart(last)}.${id}@example.com`,
      full_name: `${first} ${last}`,
      password_hash: plan.options.passwordHash,
      status,
      created_at: new Date(createdAt),
      updated_at: new Date(updatedAt),
    };
  }
}

export function* generateProducts(plan: SeedPlan): Generator<ProductRow> {
  yield* plan.products;
}

/** Number of users created at or before `time` (userCreatedAt is sorted). */
function usersCreatedBy(userCreatedAt: Float64Array, time: number): number {
  let low = 0;
  let high = userCreatedAt.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((userCreatedAt[mid] as number) <= time) low = mid + 1;
    else high = mid;
  }
  return low;
}

function orderUpdatedAt(rng: Rng, status: OrderStatus, createdAt: number): number {
  switch (status) {
    case 'pending':
      return createdAt;
    case 'paid':
      return createdAt + rng.int(MINUTE, 2 * DAY);
    case 'shipped':
      return createdAt + rng.int(DAY, 10 * DAY);
    case 'cancelled':
      return createdAt + rng.int(10 * MINUTE, 5 * DAY);
  }
}

/** Orders with their items, one at a time; order ids and item ids are consecutive from 1. */
export function* generateOrders(plan: SeedPlan): Generator<GeneratedOrder> {
  const { options, products, productsByCurrency, userCreatedAt } = plan;
  const rng = createRng(options.seed, 'orders');
  let nextItemId = 1;
  for (let i = 0; i < options.orders; i++) {
    const id = i + 1;
    const placedAt = slotTime(rng, i, options.orders, ORDERS_FROM, ORDERS_SPAN);
    // Only users who had signed up by then can order (at least the first user, for tiny data sets).
    const userIndex = rng.int(0, Math.max(1, usersCreatedBy(userCreatedAt, placedAt)) - 1);

    let currency = rng.weighted(ORDER_CURRENCY);
    if (productsByCurrency[currency].length === 0) currency = currency === 'EUR' ? 'USD' : 'EUR';
    const pool = productsByCurrency[currency];
    const itemCount = Math.min(rng.weighted(ITEMS_PER_ORDER), pool.length);
    const chosen: number[] = [];
    while (chosen.length < itemCount) {
      // Squaring skews picks toward the start of the pool: a few best sellers, a long tail.
      const r = rng.next();
      const productIndex = pool[Math.floor(r * r * pool.length)] as number;
      if (!chosen.includes(productIndex)) chosen.push(productIndex);
    }

    let createdAt = Math.max(placedAt, userCreatedAt[userIndex] as number);
    const items: OrderItemRow[] = [];
    let total = 0;
    for (const productIndex of chosen) {
      const product = products[productIndex] as ProductRow;
      createdAt = Math.max(createdAt, product.created_at.getTime());
      const quantity = rng.weighted(ITEM_QUANTITY);
      total += quantity * product.price_minor;
      items.push({ id: nextItemId++, order_id: id, product_id: product.id, quantity, unit_price_minor: product.price_minor });
    }
    const status = rng.weighted(ORDER_STATUS);
    yield {
      order: {
        id,
        user_id: userIndex + 1,
        status,
        total_minor: total,
        currency,
        created_at: new Date(createdAt),
        updated_at: new Date(orderUpdatedAt(rng, status, createdAt)),
      },
      items,
    };
  }
}

interface OrderSummary {
  items: number;
  /** Per product index: Σ quantity of items in pending and paid orders. */
  reserved: Float64Array;
  /** Per product index: latest updated_at (epoch ms) of an order containing it, 0 when none. */
  lastOrderUpdate: Float64Array;
}

const summaries = new WeakMap<SeedPlan, OrderSummary>();

/** One pass over the orders (cheap: no I/O), remembered per plan; inventory and row counts derive from it. */
function summarizeOrders(plan: SeedPlan): OrderSummary {
  const cached = summaries.get(plan);
  if (cached) return cached;
  const reserved = new Float64Array(plan.products.length);
  const lastOrderUpdate = new Float64Array(plan.products.length);
  let items = 0;
  for (const { order, items: orderItems } of generateOrders(plan)) {
    const reserving = RESERVING_STATUSES.includes(order.status);
    const updatedAt = order.updated_at.getTime();
    for (const item of orderItems) {
      items++;
      const index = item.product_id - 1;
      if (reserving) reserved[index] = (reserved[index] as number) + item.quantity;
      if (updatedAt > (lastOrderUpdate[index] as number)) lastOrderUpdate[index] = updatedAt;
    }
  }
  const summary = { items, reserved, lastOrderUpdate };
  summaries.set(plan, summary);
  return summary;
}

/** Stock per product, consistent with the orders: reserved = Σ pending+paid item quantities, quantity ≥ reserved. */
export function* generateInventory(plan: SeedPlan): Generator<InventoryRow> {
  const { reserved, lastOrderUpdate } = summarizeOrders(plan);
  const rng = createRng(plan.options.seed, 'inventory');
  for (const [index, product] of plan.products.entries()) {
    const held = reserved[index] as number;
    // Some products are sold out: nothing beyond what open orders hold.
    const extra = rng.chance(0.08) ? 0 : rng.int(1, 500);
    yield {
      product_id: product.id,
      quantity: held + extra,
      reserved: held,
      updated_at: new Date(Math.max(product.updated_at.getTime(), lastOrderUpdate[index] as number)),
    };
  }
}

/** Rows each table will receive, known before writing (for progress bars). */
export function countRows(plan: SeedPlan): SeedCounts {
  return {
    users: plan.options.users,
    products: plan.products.length,
    inventory: plan.products.length,
    orders: plan.options.orders,
    order_items: summarizeOrders(plan).items,
  };
}

/** Groups an iterable into arrays of at most `size`, lazily. */
export function* inBatches<T>(rows: Iterable<T>, size: number): Generator<T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  let batch: T[] = [];
  for (const row of rows) {
    batch.push(row);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
