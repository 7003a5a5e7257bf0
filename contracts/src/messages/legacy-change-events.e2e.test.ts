import { readFileSync } from 'node:fs';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTopic, registerTestConnector, type TestConnector } from '@strangler/cdc/testing/test-cdc';
import { createTestApp, type TestApp } from '@strangler/legacy/testing/test-app';
import { sha256 } from '../pact-file.js';
import { committedPactFile } from '../paths.js';
import { isVerifiedForCurrentPact, latestResult } from '../results.js';
import { CHANGE_EVENTS_IMPLEMENTATION, CHANGE_EVENTS_PROVIDER, PROJECTOR_CONSUMERS } from './change-events.js';
import { capturedFromTopics, changeEventsProvider, type LegacyChanges } from './change-events-provider.js';
import { verifyMessages } from './verify-messages.js';

// The projectors' message pacts hold against the real pipeline: legacy's app writes its rows through its API,
// Debezium (cdc/connectors/legacy.json, on the run's Kafka Connect) captures them, and each pact's messages are the
// events it wrote to Kafka.

let legacy: TestApp;
let connector: TestConnector;
let beforeCapture: { userId: number; productId: number };
let serial = 0;

/** legacy's own API makes every change, as the storefront would. */
function legacyApi(t: TestApp): LegacyChanges {
  const asUser = async (id: number) => `Bearer ${(await t.services.tokens.issue(id)).token}`;
  return {
    async createUser() {
      const email = `change-events-${++serial}@example.com`;
      const response = await request(t.app).post('/api/users').send({ email, fullName: 'Ada Lovelace', password: 'correct horse battery' }).expect(201);
      return (response.body as { id: number }).id;
    },
    async updateUser(id) {
      await request(t.app).patch(`/api/users/${id}`).set('authorization', await asUser(id)).send({ fullName: 'Ada King', status: 'suspended' }).expect(200);
    },
    async deleteUser(id) {
      await request(t.app).delete(`/api/users/${id}`).set('authorization', await asUser(id)).expect(204);
    },
    async createProduct() {
      const sku = `LAMP-${++serial}`;
      const body = { sku, name: 'Lamp', description: 'A warm lamp', price: { amountMinor: 1999, currency: 'EUR' }, active: true };
      const response = await request(t.app).post('/api/products').send(body).expect(201);
      return (response.body as { id: number }).id;
    },
    async updateProduct(id) {
      await request(t.app).patch(`/api/products/${id}`).send({ name: 'Desk lamp', price: { amountMinor: 2499, currency: 'EUR' } }).expect(200);
    },
    async deleteProduct(id) {
      await request(t.app).delete(`/api/products/${id}`).expect(204);
    },
    async setStock(productId, quantity) {
      await request(t.app).put(`/api/products/${productId}/stock`).send({ quantity }).expect(200);
    },
  };
}

beforeAll(async () => {
  legacy = await createTestApp('contracts_change_events');
  const changes = legacyApi(legacy);
  // Rows that exist before the connector does: Debezium's initial snapshot reads them (op "r").
  const userId = await changes.createUser();
  const productId = await changes.createProduct();
  await changes.setStock(productId, 4);
  beforeCapture = { userId, productId };
  connector = await registerTestConnector(legacy.database.name);
});

afterAll(async () => {
  await connector?.remove();
  await legacy?.drop();
});

describe.each([PROJECTOR_CONSUMERS.users, PROJECTOR_CONSUMERS.catalog])('%s ← legacy-change-events (real Debezium events)', (consumer) => {
  it('honours the committed message pact, and the record says so', async () => {
    const started = new Date();
    const provider = changeEventsProvider({
      changes: legacyApi(legacy),
      captured: capturedFromTopics(readTopic, (table) => connector.topic(table)),
      beforeCapture,
    });
    const outcome = await verifyMessages({ consumer, provider: CHANGE_EVENTS_PROVIDER, implementation: CHANGE_EVENTS_IMPLEMENTATION, ...provider });
    expect(outcome.problems).toEqual([]);
    expect(outcome.passed, `${outcome.failures.join('\n')}\n${outcome.output.slice(0, 3000)}`).toBe(true);

    const pactFile = committedPactFile(consumer, CHANGE_EVENTS_PROVIDER);
    const pact = JSON.parse(readFileSync(pactFile, 'utf8')) as { interactions: unknown[] };
    expect(outcome.interactions).toBe(pact.interactions.length);
    const record = latestResult(CHANGE_EVENTS_PROVIDER, CHANGE_EVENTS_IMPLEMENTATION, { consumer });
    expect(record).toEqual({
      provider: CHANGE_EVENTS_PROVIDER,
      implementation: CHANGE_EVENTS_IMPLEMENTATION,
      consumer,
      pactFile: `contracts/pacts/${consumer}-${CHANGE_EVENTS_PROVIDER}.json`,
      pactSha256: sha256(readFileSync(pactFile)),
      interactions: pact.interactions.length,
      passed: true,
      verifiedAt: expect.any(String),
    });
    expect(new Date(record!.verifiedAt).getTime()).toBeGreaterThanOrEqual(started.getTime() - 1000);
    expect(isVerifiedForCurrentPact(CHANGE_EVENTS_PROVIDER, CHANGE_EVENTS_IMPLEMENTATION, { consumer })).toBe(true);
  }, 120_000);
});
