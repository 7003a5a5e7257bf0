import request from 'supertest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestApp, type TestApp } from '@strangler/legacy/testing/test-app';
import { readTopic, registerTestConnector, type TestConnector, type TopicRecord } from '../testing/test-cdc.js';

// Debezium does not list MariaDB 10.11 among its tested versions: this proves the connector in
// cdc/connectors/legacy.json captures it here, snapshot and streaming, with the value shapes the projectors rely on.

interface Envelope {
  op: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  source: Record<string, unknown>;
  ts_ms: number;
}

let legacy: TestApp;
let connector: TestConnector;
let snapshotUserId: number;

async function createUser(email: string): Promise<{ id: number; token: string }> {
  const created = await request(legacy.app).post('/api/users').send({ email, fullName: 'Ada Lovelace', password: 'correct horse' }).expect(201);
  const login = await request(legacy.app).post('/api/auth/login').send({ email, password: 'correct horse' }).expect(200);
  return { id: (created.body as { id: number }).id, token: (login.body as { token: string }).token };
}

const envelopes = (records: TopicRecord[]) => records.filter((record) => record.value !== null).map((record) => record.value as Envelope);

beforeAll(async () => {
  legacy = await createTestApp('cdc_debezium');
  // A row that exists before the connector: it must arrive as a snapshot read.
  snapshotUserId = (await createUser('before@example.com')).id;
  // Returns once the snapshot is over: every write below is streamed.
  connector = await registerTestConnector(legacy.database.name);
});

afterAll(async () => {
  await connector?.remove();
  await legacy?.drop();
});

describe('Debezium MariaDB connector on MariaDB 10.11 (cdc/connectors/legacy.json)', () => {
  it('snapshots existing rows as op "r", then streams create, update and delete (with a tombstone) in commit order', async () => {
    const { id, token } = await createUser('stream@example.com');
    await request(legacy.app).patch(`/api/users/${id}`).set('authorization', `Bearer ${token}`).send({ fullName: 'Ada King', status: 'suspended' }).expect(200);
    await request(legacy.app).delete(`/api/users/${id}`).set('authorization', `Bearer ${token}`).expect(204);

    // Kafka keeps order per partition, and Debezium keys a change by its row's primary key: the order is promised per
    // row, not across rows. So each row's records are checked on their own, read until the deleted row's tombstone.
    const keyOf = (userId: number) => JSON.stringify({ id: userId });
    const isStreamTombstone = (record: TopicRecord) => record.key === keyOf(id) && record.value === null;
    const all = await readTopic(connector.topic('users'), (records) => records.some(isStreamTombstone) && records.some((record) => record.key === keyOf(snapshotUserId)));
    const ofRow = (userId: number) => all.filter((record) => record.key === keyOf(userId));
    const opsOf = (records: TopicRecord[]) => records.map((record) => (record.value === null ? 'tombstone' : (record.value as Envelope).op));
    expect(opsOf(ofRow(snapshotUserId))).toEqual(['r']);
    const records = ofRow(id);
    expect(opsOf(records)).toEqual(['c', 'u', 'd', 'tombstone']);

    const [snapshot] = envelopes(ofRow(snapshotUserId));
    const [created, updated, deleted] = envelopes(records);
    expect(snapshot?.source).toMatchObject({ connector: 'mariadb', db: legacy.database.name, table: 'users' });
    // The only row at the snapshot: its record is the snapshot's last, which Debezium marks "last" whatever its table.
    expect(snapshot?.source.snapshot).toBe('last');
    expect(created?.source.snapshot).toBe('false');
    // The value shapes the projectors map: DATETIME(3) as epoch milliseconds (server in UTC), ENUM as its label.
    expect(created?.after).toMatchObject({ id, email: 'stream@example.com', full_name: 'Ada Lovelace', status: 'active' });
    expect(typeof created?.after?.created_at).toBe('number');
    const row = (await legacy.db('users').where({ id: snapshotUserId }).first()) as { created_at: Date };
    expect(snapshot?.after?.created_at).toBe(row.created_at.getTime());
    expect(updated?.before).toMatchObject({ full_name: 'Ada Lovelace', status: 'active' });
    expect(updated?.after).toMatchObject({ full_name: 'Ada King', status: 'suspended' });
    expect(deleted?.before).toMatchObject({ id, full_name: 'Ada King' });
    expect(deleted?.after).toBeNull();
    expect(typeof deleted?.source.ts_ms).toBe('number');
  });

  it('captures products and inventory: BIGINT UNSIGNED as a number, BOOLEAN as 0/1, inventory keyed by product_id', async () => {
    const created = await request(legacy.app)
      .post('/api/products')
      .send({ sku: 'CDC-1', name: 'Lamp', description: 'warm', price: { amountMinor: 1_000_000_000_000, currency: 'EUR' }, active: false })
      .expect(201);
    const productId = (created.body as { id: number }).id;
    await request(legacy.app).put(`/api/products/${productId}/stock`).send({ quantity: 7 }).expect(200);

    const products = envelopes(await readTopic(connector.topic('products'), (all) => all.length >= 1));
    expect(products[0]).toMatchObject({ op: 'c', after: { id: productId, sku: 'CDC-1', price_minor: 1_000_000_000_000, currency: 'EUR', active: 0 } });
    // Creating a product inserts its inventory row at 0; setting the stock updates it.
    const inventory = await readTopic(connector.topic('inventory'), (all) => all.length >= 2);
    expect(inventory.map((record) => record.key)).toEqual([1, 2].map(() => JSON.stringify({ product_id: productId })));
    expect(envelopes(inventory).map((change) => [change.op, change.after?.quantity, change.after?.reserved])).toEqual([
      ['c', 0, 0],
      ['u', 7, 0],
    ]);
  });

  it('the connector config names the password only as a config-provider reference', async () => {
    const status = await connector.status();
    expect(status?.connector.state).toBe('RUNNING');
    const response = await fetch(`${inject('kafka').connectUrl}/connectors/${connector.name}/config`);
    const config = (await response.json()) as Record<string, string>;
    expect(config['database.password']).toMatch(/^\$\{file:.+:password\}$/);
  });
});
