/**
 * The message pacts of legacy's change events: Debezium (cdc/connectors/legacy.json) captures the monolith's `users`,
 * `products` and `inventory` into Kafka, and the projectors in cdc/ consume them. Each projector is a consumer with
 * its own pact; the provider is the capture pipeline as a whole (legacy's schema + the connector's settings).
 *
 * These names are shared by the consumer tests (which put them in the pacts) and the provider verification (which
 * serves a real event for each), so the two sides cannot drift apart.
 */
export const CHANGE_EVENTS_PROVIDER = 'legacy-change-events';

export const PROJECTOR_CONSUMERS = {
  users: 'users-projector',
  catalog: 'catalog-projector',
} as const;

export type ProjectorConsumer = (typeof PROJECTOR_CONSUMERS)[keyof typeof PROJECTOR_CONSUMERS];

/**
 * The implementation named in verification records: real Debezium output of legacy's schema on MariaDB, captured
 * with cdc/connectors/legacy.json.
 */
export const CHANGE_EVENTS_IMPLEMENTATION = 'debezium';

/**
 * Provider states: the change legacy goes through before the event is expected. Each sets up its own rows (legacy
 * assigns the ids), so interactions do not depend on each other or on their order. The "before capture started"
 * states are rows that existed when the connector was registered: they arrive as snapshot reads.
 */
export const CHANGE_STATES = {
  userBeforeCapture: 'a user existed before capture started',
  userSignsUp: 'a user signs up',
  userChangesProfile: 'a user changes their name and is suspended',
  userLeaves: 'a user deletes their account',
  productBeforeCapture: 'a product with stock existed before capture started',
  productAdded: 'a product is added',
  productChanged: 'a product is renamed and repriced',
  productRemoved: 'a product is removed',
  stockSet: 'the stock of a product is set',
} as const;

export type ChangeState = (typeof CHANGE_STATES)[keyof typeof CHANGE_STATES];

/** Debezium's op codes. */
export type Op = 'r' | 'c' | 'u' | 'd';

/**
 * The events, by message description: which table's change with which op. The provider serves, for each, the real
 * event of the row its provider state touched.
 */
export const CHANGE_EVENTS = {
  userRead: { description: 'a snapshot read of a users row', table: 'users', op: 'r' },
  userCreated: { description: 'a users row created', table: 'users', op: 'c' },
  userUpdated: { description: 'a users row updated', table: 'users', op: 'u' },
  userDeleted: { description: 'a users row deleted', table: 'users', op: 'd' },
  productRead: { description: 'a snapshot read of a products row', table: 'products', op: 'r' },
  productCreated: { description: 'a products row created', table: 'products', op: 'c' },
  productUpdated: { description: 'a products row updated', table: 'products', op: 'u' },
  productDeleted: { description: 'a products row deleted', table: 'products', op: 'd' },
  inventoryRead: { description: 'a snapshot read of an inventory row', table: 'inventory', op: 'r' },
  inventoryCreated: { description: 'an inventory row created', table: 'inventory', op: 'c' },
  inventoryUpdated: { description: 'an inventory row updated', table: 'inventory', op: 'u' },
} as const satisfies Record<string, { description: string; table: string; op: Op }>;

export type ChangeEventKind = (typeof CHANGE_EVENTS)[keyof typeof CHANGE_EVENTS];
