import { afterAll, describe, expect, it } from 'vitest';
import { MatchersV3 } from '@pact-foundation/pact';
import { createStorefrontClient, type ApiError } from '../storefront-client.js';
import { comparablePact, readPactFile } from '../pact-file.js';
import { USER_STATES } from '../provider-states.js';
import { createConsumerPact, errorBody, runInteraction, isoDateTime } from './consumer-pact.js';

const { fromProviderState, integer } = MatchersV3;

// The storefront's expectations of /api/users/** (login is not part of this slice). Runs the real client against the mock.
const { pact, pactFile, committedFile, dispose } = createConsumerPact('users-api');
afterAll(dispose);

// A well-formed but unsigned example; during verification the provider state supplies a real token.
const EXAMPLE_TOKEN = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMyIsImlzcyI6InN0cmFuZ2xlci1sZWdhY3kifQ.c2lnbmF0dXJl';
const bearerFromState = fromProviderState('Bearer ${token}', `Bearer ${EXAMPLE_TOKEN}`);

const expectApiError = (status: number, code: string) => expect.objectContaining({ name: 'ApiError', status, code } satisfies Partial<ApiError>);
const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);

describe('storefront → users-api', () => {
  it('creates a user: 201 with the public user shape', async () => {
    const body = { email: 'new.user@example.com', fullName: 'New User', password: 'correct horse battery' };
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(USER_STATES.noUserWithEmail, { email: body.email })
          .uponReceiving('a request to create a user')
          .withRequest('POST', '/api/users', (req) => req.headers({ accept: 'application/json' }).jsonBody(body))
          .willRespondWith(201, (res) =>
            res.jsonBody({
              id: integer(42),
              email: body.email,
              fullName: body.fullName,
              status: 'active',
              createdAt: isoDateTime(),
              updatedAt: isoDateTime(),
            }),
          ),
      async (server) => {
        const user = await createStorefrontClient(server.url).createUser(body);
        expect(user).toEqual({ id: 42, email: body.email, fullName: body.fullName, status: 'active', createdAt: ISO, updatedAt: ISO });
      },
    );
  });

  it('gets a user by id: 200', async () => {
    const user = { id: 10, email: 'ada@example.com', fullName: 'Ada Lovelace' };
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(USER_STATES.userExists, { ...user, status: 'active' })
          .uponReceiving('a request for user 10')
          .withRequest('GET', '/api/users/10', (req) => req.headers({ accept: 'application/json' }))
          .willRespondWith(200, (res) =>
            res.jsonBody({ ...user, status: 'active', createdAt: isoDateTime(), updatedAt: isoDateTime() }),
          ),
      async (server) => {
        expect(await createStorefrontClient(server.url).getUser(10)).toEqual({ ...user, status: 'active', createdAt: ISO, updatedAt: ISO });
      },
    );
  });

  it('gets an unknown user: 404 USER_NOT_FOUND', async () => {
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(USER_STATES.noUserWithId, { id: 999999 })
          .uponReceiving('a request for a user that does not exist')
          .withRequest('GET', '/api/users/999999', (req) => req.headers({ accept: 'application/json' }))
          .willRespondWith(404, (res) => res.jsonBody(errorBody('USER_NOT_FOUND', 'User 999999 not found'))),
      async (server) => {
        await expect(createStorefrontClient(server.url).getUser(999999)).rejects.toEqual(expectApiError(404, 'USER_NOT_FOUND'));
      },
    );
  });

  it('looks a user up by email: a one-item page', async () => {
    const user = { id: 11, email: 'grace@example.com', fullName: 'Grace Hopper' };
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(USER_STATES.userExists, { ...user, status: 'active' })
          .uponReceiving('a lookup of users by an email that is registered')
          .withRequest('GET', '/api/users', (req) => req.query({ email: user.email }).headers({ accept: 'application/json' }))
          .willRespondWith(200, (res) =>
            res.jsonBody({
              items: [{ ...user, status: 'active', createdAt: isoDateTime(), updatedAt: isoDateTime() }],
              page: 1,
              pageSize: integer(20),
              total: 1,
            }),
          ),
      async (server) => {
        const page = await createStorefrontClient(server.url).findUsers({ email: user.email });
        expect(page).toEqual({ items: [{ ...user, status: 'active', createdAt: ISO, updatedAt: ISO }], page: 1, pageSize: 20, total: 1 });
      },
    );
  });

  it('looks up an unregistered email: an empty page', async () => {
    const email = 'nobody@example.com';
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(USER_STATES.noUserWithEmail, { email })
          .uponReceiving('a lookup of users by an email that is not registered')
          .withRequest('GET', '/api/users', (req) => req.query({ email }).headers({ accept: 'application/json' }))
          .willRespondWith(200, (res) => res.jsonBody({ items: [], page: 1, pageSize: integer(20), total: 0 })),
      async (server) => {
        expect(await createStorefrontClient(server.url).findUsers({ email })).toEqual({ items: [], page: 1, pageSize: 20, total: 0 });
      },
    );
  });

  it('rejects an invalid sign-up: 400 VALIDATION_FAILED', async () => {
    const body = { email: 'not-an-email', fullName: '', password: 'short' };
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .uponReceiving('a request to create a user with an invalid body')
          .withRequest('POST', '/api/users', (req) => req.headers({ accept: 'application/json' }).jsonBody(body))
          .willRespondWith(400, (res) => res.jsonBody(errorBody('VALIDATION_FAILED', 'email: Invalid email address'))),
      async (server) => {
        await expect(createStorefrontClient(server.url).createUser(body)).rejects.toEqual(expectApiError(400, 'VALIDATION_FAILED'));
      },
    );
  });

  it('rejects a sign-up with a registered email, whatever its case: 409 EMAIL_TAKEN', async () => {
    const existing = { id: 12, email: 'taken@example.com', fullName: 'Existing User' };
    const body = { email: 'Taken@Example.com', fullName: 'Someone Else', password: 'correct horse battery' };
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(USER_STATES.userExists, { ...existing, status: 'active' })
          .uponReceiving('a request to create a user with an email that is already registered in another case')
          .withRequest('POST', '/api/users', (req) => req.headers({ accept: 'application/json' }).jsonBody(body))
          .willRespondWith(409, (res) => res.jsonBody(errorBody('EMAIL_TAKEN', 'Email is already registered'))),
      async (server) => {
        await expect(createStorefrontClient(server.url).createUser(body)).rejects.toEqual(expectApiError(409, 'EMAIL_TAKEN'));
      },
    );
  });

  it('updates the own account with a bearer token: 200 with the changed user', async () => {
    const user = { id: 13, email: 'linus@example.com', fullName: 'Linus T' };
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(USER_STATES.userExists, { ...user, status: 'active' })
          .given(USER_STATES.authenticatedAs, { id: user.id })
          .uponReceiving('an authenticated request to change the own name')
          .withRequest('PATCH', '/api/users/13', (req) =>
            req.headers({ accept: 'application/json', authorization: bearerFromState }).jsonBody({ fullName: 'Linus Torvalds' }),
          )
          .willRespondWith(200, (res) =>
            res.jsonBody({
              ...user,
              fullName: 'Linus Torvalds',
              status: 'active',
              createdAt: isoDateTime(),
              updatedAt: isoDateTime(),
            }),
          ),
      async (server) => {
        const updated = await createStorefrontClient(server.url, { token: EXAMPLE_TOKEN }).updateUser(13, { fullName: 'Linus Torvalds' });
        expect(updated).toEqual({ ...user, fullName: 'Linus Torvalds', status: 'active', createdAt: ISO, updatedAt: ISO });
      },
    );
  });

  it('refuses an update without a token: 401 UNAUTHENTICATED', async () => {
    const user = { id: 15, email: 'anon@example.com', fullName: 'Anne Onymous' };
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(USER_STATES.userExists, { ...user, status: 'active' })
          .uponReceiving('an unauthenticated request to change a user')
          .withRequest('PATCH', '/api/users/15', (req) => req.headers({ accept: 'application/json' }).jsonBody({ fullName: 'Mallory' }))
          .willRespondWith(401, (res) => res.jsonBody(errorBody('UNAUTHENTICATED', 'Missing bearer token'))),
      async (server) => {
        await expect(createStorefrontClient(server.url).updateUser(15, { fullName: 'Mallory' })).rejects.toEqual(
          expectApiError(401, 'UNAUTHENTICATED'),
        );
      },
    );
  });

  it('deletes the own account with a bearer token: 204', async () => {
    const user = { id: 14, email: 'leaving@example.com', fullName: 'Leaving User' };
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(USER_STATES.userExists, { ...user, status: 'active' })
          .given(USER_STATES.authenticatedAs, { id: user.id })
          .uponReceiving('an authenticated request to delete the own account')
          .withRequest('DELETE', '/api/users/14', (req) => req.headers({ accept: 'application/json', authorization: bearerFromState }))
          .willRespondWith(204),
      async (server) => {
        await expect(createStorefrontClient(server.url, { token: EXAMPLE_TOKEN }).deleteUser(14)).resolves.toBeUndefined();
      },
    );
  });

  // Last: by now every interaction above has been written to pactFile.
  it('generates exactly the committed pact (after changing an interaction, run `npm run contracts` and commit contracts/pacts)', () => {
    expect(comparablePact(readPactFile(pactFile))).toEqual(comparablePact(readPactFile(committedFile)));
  });
});
