import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../pact-file.js';
import { latestResult } from '../results.js';
import { pingApp, PING_PROVIDER, PING_STATE, writePingPact } from '../testing/ping-pact.js';
import { verifierOptions, verifyProvider } from './verify-provider.js';

let pactFile: string;
beforeAll(async () => {
  pactFile = await writePingPact();
});
const freshResults = () => mkdtempSync(join(tmpdir(), 'strangler-results-'));
const okState = { [PING_STATE]: async () => undefined };

describe('verifyProvider', () => {
  it('passes a provider that honours the pact, serves it on 127.0.0.1, and writes a passing record', async () => {
    const resultsDir = freshResults();
    let stateCalls = 0;
    const outcome = await verifyProvider({
      provider: PING_PROVIDER,
      implementation: 'ping',
      app: pingApp(),
      stateHandlers: { [PING_STATE]: async () => void stateCalls++ },
      pactFile,
      resultsDir,
      broker: null,
    });
    expect(outcome).toMatchObject({ passed: true, interactions: 1, problems: [] });
    expect(stateCalls).toBe(1);
    expect(latestResult(PING_PROVIDER, 'ping', { resultsDir })).toEqual({
      provider: PING_PROVIDER,
      implementation: 'ping',
      consumer: 'storefront',
      pactFile: expect.stringMatching(/storefront-ping-api\.json$/),
      pactSha256: sha256(readFileSync(pactFile)),
      interactions: 1,
      passed: true,
      verifiedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
  });

  it('fails a provider that answers the wrong type, and records the failure', async () => {
    const resultsDir = freshResults();
    const outcome = await verifyProvider({
      provider: PING_PROVIDER,
      implementation: 'ping',
      app: pingApp({ broken: true }),
      stateHandlers: okState,
      pactFile,
      resultsDir,
      broker: null,
    });
    expect(outcome.passed).toBe(false);
    expect(outcome.output).toMatch(/\$\.ok/);
    expect(latestResult(PING_PROVIDER, 'ping', { resultsDir })?.passed).toBe(false);
  });

  it('fails without running when a state of the pact has no handler', async () => {
    const outcome = await verifyProvider({
      provider: PING_PROVIDER,
      implementation: 'ping',
      app: pingApp(),
      stateHandlers: {},
      pactFile,
      resultsDir: freshResults(),
      broker: null,
    });
    expect(outcome).toMatchObject({ passed: false, problems: [`no state handler for "${PING_STATE}"`] });
  });

  it('fails when a state handler throws, even if the response would have matched', async () => {
    const outcome = await verifyProvider({
      provider: PING_PROVIDER,
      implementation: 'ping',
      app: pingApp(),
      stateHandlers: {
        [PING_STATE]: async () => {
          throw new Error('seeding failed');
        },
      },
      pactFile,
      resultsDir: freshResults(),
      broker: null,
    });
    expect(outcome.passed).toBe(false);
    expect(outcome.problems).toEqual([expect.stringContaining('seeding failed')]);
  });

  it('refuses a pact with another provider', async () => {
    const outcome = await verifyProvider({
      provider: 'users-api',
      implementation: 'ping',
      app: pingApp(),
      stateHandlers: okState,
      pactFile,
      resultsDir: freshResults(),
      broker: null,
    });
    expect(outcome.passed).toBe(false);
    expect(outcome.problems).toContain(`${pactFile} is a pact with ping-api, not users-api`);
  });
});

describe('verifierOptions', () => {
  const base = { provider: PING_PROVIDER, providerBaseUrl: 'http://127.0.0.1:1234', stateHandlers: {}, logLevel: 'error' as const };

  it('without a broker: the pact file, no publishing', () => {
    const options = verifierOptions({ ...base, pactFile, broker: null });
    expect(options).toMatchObject({ provider: PING_PROVIDER, providerBaseUrl: 'http://127.0.0.1:1234', pactUrls: [pactFile] });
    expect(options.publishVerificationResult).toBeUndefined();
    expect(options.pactBrokerUrl).toBeUndefined();
  });

  it("with a broker: that consumer version's pact from the broker, results published under the provider version", () => {
    const options = verifierOptions({
      ...base,
      pactFile,
      broker: { broker: { baseUrl: 'http://broker.test/', token: 't0k' }, consumerVersion: '1.2.3', providerVersion: '4.5.6' },
    });
    expect(options).toMatchObject({
      pactUrls: ['http://broker.test/pacts/provider/ping-api/consumer/storefront/version/1.2.3'],
      pactBrokerToken: 't0k',
      publishVerificationResult: true,
      providerVersion: '4.5.6',
    });
    // A provider name would make pact-core add every pact of PACT_BROKER_BASE_URL as well.
    expect(options.provider).toBeUndefined();
  });

  it('with a basic-auth broker: username and password', () => {
    const options = verifierOptions({
      ...base,
      pactFile,
      broker: { broker: { baseUrl: 'http://broker.test', username: 'ci', password: 'pw' }, consumerVersion: '1', providerVersion: '2' },
    });
    expect(options).toMatchObject({ pactBrokerUsername: 'ci', pactBrokerPassword: 'pw' });
    expect(options.pactBrokerToken).toBeUndefined();
  });
});
