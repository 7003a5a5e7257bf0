import { describe, expect, it } from 'vitest';
import { PactV4 } from '@pact-foundation/pact';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInteraction, type InteractionWithResponse, type MockServer } from './consumer-pact.js';

const LOST = 'Test failed for the following reasons:\n\n  Mock server failed with the following mismatches:\n\n\t0) The following request was expected but not received: ...';
const SERVER: MockServer = { port: 1, url: 'http://127.0.0.1:1', id: 'x' };

/** An interaction whose executeTest runs the test, then fails with `errors[attempt]` (undefined: succeeds). */
function scripted(errors: Array<string | undefined>) {
  let attempts = 0;
  const define = () =>
    ({
      async executeTest(test: (server: MockServer) => Promise<unknown>) {
        const error = errors[attempts++];
        await test(SERVER);
        if (error) throw new Error(error);
      },
    }) as unknown as InteractionWithResponse;
  return { define, attempts: () => attempts };
}

describe('runInteraction', () => {
  it('retries a match the mock server lost after the client got its answer, on a fresh interaction', async () => {
    const s = scripted([LOST, undefined]);
    await runInteraction(s.define, async () => undefined);
    expect(s.attempts()).toBe(2);
  });

  it('gives up after three lost matches', async () => {
    const s = scripted([LOST, LOST, LOST, undefined]);
    await expect(runInteraction(s.define, async () => undefined)).rejects.toThrow(/expected but not received/);
    expect(s.attempts()).toBe(3);
  });

  it('never retries a failing test', async () => {
    const s = scripted([LOST, undefined]);
    await expect(
      runInteraction(s.define, async () => {
        throw new Error('client got the wrong answer');
      }),
    ).rejects.toThrow('client got the wrong answer');
    expect(s.attempts()).toBe(1);
  });

  it('never retries other mismatches, even alongside a lost match', async () => {
    const s = scripted([`${LOST}\n\t1) The following request was incorrect: POST /api/users`, undefined]);
    await expect(runInteraction(s.define, async () => undefined)).rejects.toThrow(/was incorrect/);
    expect(s.attempts()).toBe(1);
  });

  it('fails for real when the client sends what the interaction does not describe', async () => {
    const pact = new PactV4({ consumer: 'storefront', provider: 'probe-api', dir: mkdtempSync(join(tmpdir(), 'strangler-probe-')), logLevel: 'error' });
    await expect(
      runInteraction(
        () => pact.addInteraction().uponReceiving('a probe').withRequest('POST', '/probe', (req) => req.jsonBody({ a: 1 })).willRespondWith(204),
        async (server) => {
          await fetch(`${server.url}/probe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":2}' });
        },
      ),
    ).rejects.toThrow(/The following request was incorrect/);
  });
});
