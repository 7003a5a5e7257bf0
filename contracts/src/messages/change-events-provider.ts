import type { StateHandlers } from '../provider/states/state-params.js';
import { CHANGE_EVENTS, CHANGE_STATES, type Op } from './change-events.js';
import type { MessageSource } from './verify-messages.js';

/** The changes the provider states make to legacy's rows (through its API, or straight SQL on an altered schema). */
export interface LegacyChanges {
  /** Returns the new user's id. */
  createUser(): Promise<number>;
  /** Changes the full name and suspends the user. */
  updateUser(id: number): Promise<void>;
  deleteUser(id: number): Promise<void>;
  /** Returns the new product's id; legacy inserts its inventory row (0 in stock) with it. */
  createProduct(): Promise<number>;
  /** Renames and reprices the product. */
  updateProduct(id: number): Promise<void>;
  deleteProduct(id: number): Promise<void>;
  setStock(productId: number, quantity: number): Promise<void>;
}

/** What Debezium wrote for legacy's rows. */
export interface CapturedChanges {
  /** The value of the change event of the row of `table` with primary key `key` and op `op`; waits until it is there. */
  event(table: string, key: Record<string, number>, op: Op): Promise<unknown>;
}

/** The parts of a Kafka record capturedFromTopics reads (`readTopic` of @strangler/stack/testing returns more). */
export interface CapturedRecord {
  key: string | null;
  value: unknown;
}

export type ReadTopic = (topic: string, until: (records: CapturedRecord[]) => boolean, timeoutMs?: number) => Promise<CapturedRecord[]>;

/** Finds events in the change topics (`topicOf(table)`), matching the record key (Debezium's key is the primary key as JSON). */
export function capturedFromTopics(readTopic: ReadTopic, topicOf: (table: string) => string, timeoutMs = 30_000): CapturedChanges {
  return {
    async event(table, key, op) {
      const matches = (record: CapturedRecord) => {
        if (record.key === null || record.value === null || (record.value as { op?: unknown }).op !== op) return false;
        const recordKey = JSON.parse(record.key) as Record<string, unknown>;
        return Object.entries(key).every(([column, value]) => recordKey[column] === value);
      };
      const records = await readTopic(topicOf(table), (all) => all.some(matches), timeoutMs);
      return records.find(matches)!.value;
    },
  };
}

/**
 * legacy-change-events as a message provider: each provider state makes its change to legacy and remembers the row it
 * touched; each message is the real event Debezium captured for that row (table and op by the message description).
 * `beforeCapture` are rows that existed when the connector was registered (their events are snapshot reads).
 */
export function changeEventsProvider(input: {
  changes: LegacyChanges;
  captured: CapturedChanges;
  beforeCapture: { userId: number; productId: number };
}): { stateHandlers: StateHandlers; messages: Record<string, MessageSource> } {
  const { changes, captured, beforeCapture } = input;
  let touched: { userId?: number; productId?: number } = {};

  const stateHandlers: StateHandlers = {
    [CHANGE_STATES.userBeforeCapture]: async () => void (touched = { userId: beforeCapture.userId }),
    [CHANGE_STATES.userSignsUp]: async () => void (touched = { userId: await changes.createUser() }),
    [CHANGE_STATES.userChangesProfile]: async () => {
      const userId = await changes.createUser();
      await changes.updateUser(userId);
      touched = { userId };
      return undefined;
    },
    [CHANGE_STATES.userLeaves]: async () => {
      const userId = await changes.createUser();
      await changes.deleteUser(userId);
      touched = { userId };
      return undefined;
    },
    [CHANGE_STATES.productBeforeCapture]: async () => void (touched = { productId: beforeCapture.productId }),
    [CHANGE_STATES.productAdded]: async () => void (touched = { productId: await changes.createProduct() }),
    [CHANGE_STATES.productChanged]: async () => {
      const productId = await changes.createProduct();
      await changes.updateProduct(productId);
      touched = { productId };
      return undefined;
    },
    [CHANGE_STATES.productRemoved]: async () => {
      const productId = await changes.createProduct();
      await changes.deleteProduct(productId);
      touched = { productId };
      return undefined;
    },
    [CHANGE_STATES.stockSet]: async () => {
      const productId = await changes.createProduct();
      await changes.setStock(productId, 7);
      touched = { productId };
      return undefined;
    },
  };

  const keyOf = (table: string): Record<string, number> => {
    const id = table === 'users' ? touched.userId : touched.productId;
    if (id === undefined) throw new Error(`no provider state of this interaction touched a row of ${table}`);
    return table === 'inventory' ? { product_id: id } : { id };
  };

  const messages = Object.fromEntries(
    Object.values(CHANGE_EVENTS).map(({ description, table, op }) => [description, () => captured.event(table, keyOf(table), op)] as const),
  );
  return { stateHandlers, messages };
}
