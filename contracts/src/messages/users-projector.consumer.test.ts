import { afterAll, describe, expect, it } from 'vitest';
import { MatchersV3 } from '@pact-foundation/pact';
import { createUsersProjector } from '@strangler/cdc';
import { USER_STATUSES } from '@strangler/users-service/projection';
import { RecordingUsersProjection } from '@strangler/cdc/testing/recording-projections';
import { comparablePact, readPactFile } from '../pact-file.js';
import { CHANGE_EVENTS, CHANGE_STATES, PROJECTOR_CONSUMERS } from './change-events.js';
import { createMessagePact, epochMillis, fieldsTheHandlerIgnores, handleChangeMessage, source, upsertOp } from './message-pact.js';

const { integer, regex, string } = MatchersV3;

// What the users projector relies on in legacy's `users` change events. The handler is the real one: the message
// goes through parseChangeRecord and createUsersProjector().apply, into a projection that records what it was asked.
const { pact, pactFile, committedFile, dispose } = createMessagePact(PROJECTOR_CONSUMERS.users);
afterAll(dispose);

const CREATED = 1_795_572_909_304;
const UPDATED = 1_795_572_916_123;

/** The columns of a users row the projector maps (any other column may come and go). */
function userRow(values: { id: number; email: string; fullName: string; status: 'active' | 'suspended'; updatedAt: number }) {
  return {
    id: integer(values.id),
    email: string(values.email),
    full_name: string(values.fullName),
    password_hash: string('scrypt$16384$8$1$c2FsdA$aGFzaA'),
    // The statuses the accounts know (the projector rejects any other).
    status: regex(new RegExp(`^(${USER_STATUSES.join('|')})$`), values.status),
    created_at: epochMillis(CREATED),
    updated_at: epochMillis(values.updatedAt),
  };
}

/** Runs the real handler on a message with a fresh recording projection; returns its outcome and what it recorded. */
async function handle(content: unknown) {
  const projection = new RecordingUsersProjection();
  const outcome = await handleChangeMessage(createUsersProjector(() => projection), content, 'legacy.legacy.users');
  return { outcome, upserts: projection.upserts, deletes: projection.deletes };
}

const expectEveryFieldRead = async (content: unknown) => expect(await fieldsTheHandlerIgnores(content, handle)).toEqual([]);

describe('users-projector ← legacy-change-events', () => {
  it.each([
    { event: CHANGE_EVENTS.userRead, state: CHANGE_STATES.userBeforeCapture, op: 'r' as const, status: 'active' as const, name: 'Ada Lovelace' },
    { event: CHANGE_EVENTS.userCreated, state: CHANGE_STATES.userSignsUp, op: 'c' as const, status: 'active' as const, name: 'Ada Lovelace' },
    { event: CHANGE_EVENTS.userUpdated, state: CHANGE_STATES.userChangesProfile, op: 'u' as const, status: 'suspended' as const, name: 'Ada King' },
  ])('$event.description: upserts the account from the after image', async ({ event, state, op, status, name }) => {
    const updatedAt = op === 'u' ? UPDATED : CREATED;
    await pact
      .addAsynchronousInteraction()
      .given(state)
      .expectsToReceive(event.description, (message) =>
        message.withJSONContent({
          op: upsertOp(op),
          after: userRow({ id: 7, email: 'ada@example.com', fullName: name, status, updatedAt }),
          source: source('users'),
        }),
      )
      .executeTest(async (message) => {
        const content = message.contents.content;
        expect(await handle(content)).toEqual({
          outcome: 'inserted',
          upserts: [
            {
              legacyId: 7,
              email: 'ada@example.com',
              fullName: name,
              status,
              passwordHash: 'scrypt$16384$8$1$c2FsdA$aGFzaA',
              createdAt: new Date(CREATED),
              updatedAt: new Date(updatedAt),
            },
          ],
          deletes: [],
        });
        await expectEveryFieldRead(content);
      });
  });

  it(`${CHANGE_EVENTS.userDeleted.description}: deletes the account by the before image's id`, async () => {
    await pact
      .addAsynchronousInteraction()
      .given(CHANGE_STATES.userLeaves)
      .expectsToReceive(CHANGE_EVENTS.userDeleted.description, (message) =>
        // The before image has every column (binlog_row_image=FULL), but only the id is needed: the pact asks no more.
        message.withJSONContent({ op: 'd', before: { id: integer(7) }, source: source('users') }),
      )
      .executeTest(async (message) => {
        const content = message.contents.content;
        expect(await handle(content)).toEqual({ outcome: 'deleted', upserts: [], deletes: [7] });
        await expectEveryFieldRead(content);
      });
  });

  // Last: by now every interaction above has been written to pactFile.
  it('generates exactly the committed pact (after changing an interaction, run `npm run contracts` and commit contracts/pacts)', () => {
    expect(comparablePact(readPactFile(pactFile))).toEqual(comparablePact(readPactFile(committedFile)));
  });
});
