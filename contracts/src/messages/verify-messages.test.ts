import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { debeziumEnvelope, legacyUser } from '@strangler/cdc/testing/debezium-records';
import { sha256 } from '../pact-file.js';
import { committedPactFile } from '../paths.js';
import { latestResult, resultFile, verificationStatus } from '../results.js';
import type { StateHandlers } from '../provider/states/state-params.js';
import { CHANGE_EVENTS, CHANGE_EVENTS_PROVIDER, CHANGE_STATES, PROJECTOR_CONSUMERS } from './change-events.js';
import { verifyMessages, type MessageSource } from './verify-messages.js';

// verifyMessages on the committed users-projector pact, with events shaped like Debezium's (cdc's test records, the
// whole envelope): fast, no Kafka. That the pact holds for the real events is legacy-change-events.e2e.test.ts.

const consumer = PROJECTOR_CONSUMERS.users;
const freshResults = () => mkdtempSync(join(tmpdir(), 'strangler-message-results-'));
const noStates: StateHandlers = Object.fromEntries(Object.values(CHANGE_STATES).map((state) => [state, async () => undefined]));

function userEvents(row = legacyUser(7)): Record<string, MessageSource> {
  return {
    [CHANGE_EVENTS.userRead.description]: async () => debeziumEnvelope('users', 'r', { after: row }),
    [CHANGE_EVENTS.userCreated.description]: async () => debeziumEnvelope('users', 'c', { after: row }),
    [CHANGE_EVENTS.userUpdated.description]: async () => debeziumEnvelope('users', 'u', { before: row, after: { ...row, full_name: 'Ada King' } }),
    [CHANGE_EVENTS.userDeleted.description]: async () => debeziumEnvelope('users', 'd', { before: row }),
  };
}

const verify = (overrides: Partial<Parameters<typeof verifyMessages>[0]> = {}) =>
  verifyMessages({
    consumer,
    provider: CHANGE_EVENTS_PROVIDER,
    implementation: 'fixture',
    messages: userEvents(),
    stateHandlers: noStates,
    resultsDir: freshResults(),
    ...overrides,
  });

describe('verifyMessages', () => {
  it('passes whole Debezium envelopes (fields the pact does not name are fine), and records it under the consumer', async () => {
    const resultsDir = freshResults();
    const outcome = await verify({ resultsDir });
    expect(outcome).toMatchObject({ passed: true, problems: [], failures: [] });
    const pactFile = committedPactFile(consumer, CHANGE_EVENTS_PROVIDER);
    expect(outcome.resultFile).toBe(join(resultsDir, `${consumer}--${CHANGE_EVENTS_PROVIDER}--fixture.json`));
    expect(latestResult(CHANGE_EVENTS_PROVIDER, 'fixture', { consumer, resultsDir })).toEqual({
      provider: CHANGE_EVENTS_PROVIDER,
      implementation: 'fixture',
      consumer,
      pactFile: `contracts/pacts/${consumer}-${CHANGE_EVENTS_PROVIDER}.json`,
      pactSha256: sha256(readFileSync(pactFile)),
      interactions: 4,
      passed: true,
      verifiedAt: expect.any(String),
    });
    expect(verificationStatus(CHANGE_EVENTS_PROVIDER, 'fixture', { consumer, resultsDir }).verified).toBe(true);
    // The storefront's record name for the same provider and implementation is not taken.
    expect(existsSync(resultFile(CHANGE_EVENTS_PROVIDER, 'fixture', { resultsDir }))).toBe(false);
  });

  it('fails, naming the field, when the events lack a column the pact describes', async () => {
    const { full_name: _gone, ...row } = legacyUser(7);
    const resultsDir = freshResults();
    const outcome = await verify({ messages: userEvents(row), resultsDir });
    expect(outcome.passed).toBe(false);
    expect(outcome.failures).toContainEqual(
      expect.stringMatching(/a users row created: \$\.after Actual map is missing the following keys: full_name/),
    );
    expect(latestResult(CHANGE_EVENTS_PROVIDER, 'fixture', { consumer, resultsDir })?.passed).toBe(false);
  });

  it('fails when a column has another type (an epoch-millis datetime as an ISO string)', async () => {
    const outcome = await verify({ messages: userEvents(legacyUser(7, { updated_at: '2026-11-24T10:00:00.000Z' })) });
    expect(outcome.passed).toBe(false);
    expect(outcome.failures).toContainEqual(expect.stringMatching(/a users row created: \$\.after\.updated_at .*integer/i));
  });

  it('fails without running when a state or a message of the pact is not provided for', async () => {
    const { [CHANGE_STATES.userLeaves]: _state, ...states } = noStates;
    const { [CHANGE_EVENTS.userDeleted.description]: _message, ...messages } = userEvents();
    const outcome = await verify({ stateHandlers: states, messages });
    expect(outcome).toMatchObject({
      passed: false,
      problems: [`no state handler for "${CHANGE_STATES.userLeaves}"`, `no message for "${CHANGE_EVENTS.userDeleted.description}"`],
    });
  });

  it('fails when producing a message throws, even though the other interactions pass', async () => {
    const outcome = await verify({
      messages: {
        ...userEvents(),
        [CHANGE_EVENTS.userCreated.description]: async () => {
          throw new Error('no such event in the topic');
        },
      },
    });
    expect(outcome.passed).toBe(false);
    expect(outcome.problems).toEqual([`message "${CHANGE_EVENTS.userCreated.description}": no such event in the topic`]);
  });

  it("refuses another consumer's pact", async () => {
    const outcome = await verify({ pactFile: committedPactFile(PROJECTOR_CONSUMERS.catalog, CHANGE_EVENTS_PROVIDER) });
    expect(outcome.passed).toBe(false);
    expect(outcome.problems).toContainEqual(expect.stringContaining(`is a pact of ${PROJECTOR_CONSUMERS.catalog}, not ${consumer}`));
  });
});
