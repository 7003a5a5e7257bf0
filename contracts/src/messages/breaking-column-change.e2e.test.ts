import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsersProjector, PoisonRecordError } from '@strangler/cdc';
import type { Knex } from '@strangler/platform';
import { readTopic, registerTestConnector, type TestConnector } from '@strangler/cdc/testing/test-cdc';
import { RecordingUsersProjection } from '@strangler/cdc/testing/recording-projections';
import { createTestApp, type TestApp } from '@strangler/legacy/testing/test-app';
import { isVerifiedForCurrentPact, latestResult } from '../results.js';
import { CHANGE_EVENTS, CHANGE_EVENTS_PROVIDER, PROJECTOR_CONSUMERS } from './change-events.js';
import { capturedFromTopics, changeEventsProvider, type LegacyChanges } from './change-events-provider.js';
import { handleChangeMessage } from './message-pact.js';
import { verifyMessages } from './verify-messages.js';

// The message pacts must be able to fail: legacy renames a column the users projector maps (full_name → display_name)
// and the same verification, on the real events Debezium captures of the altered table, fails naming the field.

let legacy: TestApp;
let connector: TestConnector;
let beforeCaptureUserId: number;
let serial = 0;
// Records of this file stay out of CONTRACTS_RESULTS_DIR: they must not replace the real verification's record.
const resultsDir = mkdtempSync(join(tmpdir(), 'strangler-message-results-'));

/** legacy after the rename: its (hypothetical) new code writes display_name. Only the users table is changed here. */
function renamedUsers(db: Knex): LegacyChanges {
  const notHere = async (): Promise<never> => {
    throw new Error('this test changes only users');
  };
  return {
    async createUser() {
      const [id] = await db('users').insert({ email: `renamed-${++serial}@example.com`, display_name: 'Ada Lovelace', password_hash: 'scrypt$x', status: 'active' });
      return id!;
    },
    async updateUser(id) {
      await db('users').where({ id }).update({ display_name: 'Ada King', status: 'suspended', updated_at: db.raw('CURRENT_TIMESTAMP(3)') });
    },
    async deleteUser(id) {
      await db('users').where({ id }).delete();
    },
    createProduct: notHere,
    updateProduct: notHere,
    deleteProduct: notHere,
    setStock: notHere,
  };
}

beforeAll(async () => {
  legacy = await createTestApp('contracts_change_events_renamed');
  // Before the connector exists, so Debezium's schema snapshot already sees the renamed column.
  await legacy.db.raw('ALTER TABLE users CHANGE full_name display_name VARCHAR(200) NOT NULL');
  beforeCaptureUserId = await renamedUsers(legacy.db).createUser();
  connector = await registerTestConnector(legacy.database.name);
});

afterAll(async () => {
  await connector?.remove();
  await legacy?.drop();
  rmSync(resultsDir, { recursive: true, force: true });
});

describe('legacy renames users.full_name: the users projector pact no longer holds', () => {
  it('fails verification on the real events, naming full_name in every interaction that needs it, and records the failure', async () => {
    const captured = capturedFromTopics(readTopic, (table) => connector.topic(table));
    const provider = changeEventsProvider({ changes: renamedUsers(legacy.db), captured, beforeCapture: { userId: beforeCaptureUserId, productId: 0 } });
    const consumer = PROJECTOR_CONSUMERS.users;
    const outcome = await verifyMessages({ consumer, provider: CHANGE_EVENTS_PROVIDER, implementation: 'debezium-renamed-full-name', resultsDir, ...provider });

    expect(outcome.problems).toEqual([]);
    expect(outcome.passed).toBe(false);
    // One line per mismatch: "<interaction, ending with its description>: <path> <mismatch>".
    const failed = (description: string) => outcome.failures.filter((line) => line.includes(` - ${description}: `));
    for (const event of [CHANGE_EVENTS.userRead, CHANGE_EVENTS.userCreated, CHANGE_EVENTS.userUpdated]) {
      expect(failed(event.description), outcome.failures.join('\n')).toEqual([
        expect.stringMatching(/: \$\.after Actual map is missing the following keys: full_name$/),
      ]);
    }
    // A delete needs only the id, which the rename does not touch: that interaction still holds.
    expect(failed(CHANGE_EVENTS.userDeleted.description)).toEqual([]);
    expect(outcome.failures).toHaveLength(3);

    expect(latestResult(CHANGE_EVENTS_PROVIDER, 'debezium-renamed-full-name', { consumer, resultsDir })).toMatchObject({ consumer, passed: false });
    expect(isVerifiedForCurrentPact(CHANGE_EVENTS_PROVIDER, 'debezium-renamed-full-name', { consumer, resultsDir })).toBe(false);
  }, 120_000);

  it('and the real projector would indeed reject those events as poison naming the column', async () => {
    const event = await capturedFromTopics(readTopic, (table) => connector.topic(table)).event('users', { id: beforeCaptureUserId }, 'r');
    expect(event).toMatchObject({ after: { id: beforeCaptureUserId, display_name: 'Ada Lovelace' } });
    const error = await handleChangeMessage(createUsersProjector(() => new RecordingUsersProjection()), event).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PoisonRecordError);
    expect((error as PoisonRecordError).message).toMatch(/after: column "full_name": missing/);
  });
});
