import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../pact-file.js';
import { committedPactFile } from '../paths.js';
import { isVerifiedForCurrentPact, latestResult } from '../results.js';
import { CONSUMER, verificationTargets } from '../slices.js';
import { buildImplementation } from '../testing/providers.js';
import { verifyProvider } from './verify-provider.js';

// Every implementation of a slice must honour the same committed pact: legacy (the reference) and its new service.
describe.each(verificationTargets())('$provider on $implementation', ({ provider, implementation }) => {
  it('honours the committed pact, and the record says so', async () => {
    const started = new Date();
    const target = await buildImplementation(provider, implementation);
    try {
      const outcome = await verifyProvider({ provider, implementation, app: target.app, stateHandlers: target.stateHandlers });
      expect(outcome.problems).toEqual([]);
      expect(outcome.passed, outcome.failures.join('\n')).toBe(true);

      const pactFile = committedPactFile(CONSUMER, provider);
      const pact = JSON.parse(readFileSync(pactFile, 'utf8')) as { interactions: unknown[] };
      const record = latestResult(provider, implementation);
      expect(record).toEqual({
        provider,
        implementation,
        consumer: CONSUMER,
        pactFile: `contracts/pacts/${CONSUMER}-${provider}.json`,
        pactSha256: sha256(readFileSync(pactFile)),
        interactions: pact.interactions.length,
        passed: true,
        verifiedAt: expect.any(String),
      });
      expect(new Date(record!.verifiedAt).getTime()).toBeGreaterThanOrEqual(started.getTime() - 1000);
      expect(isVerifiedForCurrentPact(provider, implementation)).toBe(true);
    } finally {
      await target.drop();
    }
  }, 120_000);
});
