import type { ChangeEvent, ChangeOp, Row } from '../debezium/envelope.js';
import type { SourceRecord } from '../runtime/dead-letters.js';

/** Shaped like the records the Debezium 3.2 MariaDB connector writes (JSON converter, schemas disabled). */
export function debeziumEnvelope(
  table: string,
  op: ChangeOp,
  images: { before?: Row | null; after?: Row | null },
  options: { tsMs?: number; snapshot?: string; db?: string } = {},
): Record<string, unknown> {
  const tsMs = options.tsMs ?? 1_795_572_916_000;
  const snapshot = options.snapshot ?? (op === 'r' ? 'true' : 'false');
  return {
    before: images.before ?? null,
    after: images.after ?? null,
    source: {
      version: '3.2.0.Final',
      connector: 'mariadb',
      name: 'legacy',
      ts_ms: tsMs,
      snapshot,
      db: options.db ?? 'legacy',
      sequence: null,
      ts_us: tsMs * 1000,
      ts_ns: tsMs * 1_000_000,
      table,
      server_id: snapshot === 'false' ? 1 : 0,
      gtid: snapshot === 'false' ? '0-1-8' : null,
      file: 'mariadb-bin.000001',
      pos: 2470,
      row: 0,
      thread: null,
      query: null,
    },
    transaction: null,
    op,
    ts_ms: tsMs + 755,
    ts_us: (tsMs + 755) * 1000,
    ts_ns: (tsMs + 755) * 1_000_000,
  };
}

/** A Kafka record at `offset`: the value as JSON (an object), raw (a string) or a tombstone (null). */
export function kafkaRecord(offset: number, value: Record<string, unknown> | string | null, key: Record<string, unknown> | null = null): SourceRecord {
  return {
    offset: String(offset),
    key: key === null ? null : Buffer.from(JSON.stringify(key)),
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    timestamp: '1795572916755',
  };
}

/** A parsed change, for projector tests. */
export function change(table: string, op: ChangeOp, images: { before?: Row | null; after?: Row | null }, options: Partial<ChangeEvent> = {}): ChangeEvent {
  return {
    op,
    before: images.before ?? null,
    after: images.after ?? null,
    database: 'legacy',
    table,
    sourceTsMs: 1_795_572_916_000,
    snapshot: op === 'r',
    position: { topic: `legacy.legacy.${table}`, partition: 0, offset: 0 },
    ...options,
  };
}

export const T0 = 1_795_572_909_304;

export function legacyUser(id: number, overrides: Row = {}): Row {
  return {
    id,
    email: `user${id}@x.io`,
    full_name: `User ${id}`,
    password_hash: `scrypt$hash${id}`,
    status: 'active',
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

export function legacyProduct(id: number, overrides: Row = {}): Row {
  return {
    id,
    sku: `SKU-${id}`,
    name: `Product ${id}`,
    description: `About product ${id}`,
    price_minor: 1234,
    currency: 'EUR',
    active: 1,
    created_at: T0,
    updated_at: T0,
    ...overrides,
  };
}

export function legacyInventory(productId: number, overrides: Row = {}): Row {
  return { product_id: productId, quantity: 5, reserved: 0, updated_at: T0, ...overrides };
}
