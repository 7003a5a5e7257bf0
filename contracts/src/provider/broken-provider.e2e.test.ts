import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express, { type Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isVerifiedForCurrentPact, latestResult } from '../results.js';
import { buildImplementation, type ImplementationUnderTest } from '../testing/providers.js';
import { verifyProvider } from './verify-provider.js';

/** Serialises every `id` as a string, as a careless rewrite might (`"id": "10"` instead of `"id": 10`). */
function withStringIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withStringIds);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, key === 'id' && typeof v === 'number' ? String(v) : withStringIds(v)]));
}

/** The gate must be able to fail: the same users service, with one type changed on the wire, must not verify. */
describe('a provider that breaks the contract', () => {
  let target: ImplementationUnderTest;
  // Records of this file stay out of CONTRACTS_RESULTS_DIR: they must not replace the real users-service record.
  const resultsDir = mkdtempSync(join(tmpdir(), 'strangler-contract-results-'));

  beforeAll(async () => {
    target = await buildImplementation('users-api', 'users-service');
  });
  afterAll(async () => {
    await target?.drop();
    rmSync(resultsDir, { recursive: true, force: true });
  });

  it('passes unbroken', async () => {
    const outcome = await verifyProvider({ ...target, resultsDir });
    expect(outcome.passed, outcome.failures.join('\n')).toBe(true);
    expect(isVerifiedForCurrentPact('users-api', 'users-service', { resultsDir })).toBe(true);
  }, 120_000);

  it('fails with ids serialised as strings, and records the failure', async () => {
    const broken = express();
    broken.use((_req, res, next) => {
      const json = res.json.bind(res) as Response['json'];
      res.json = (body: unknown) => json(withStringIds(body));
      next();
    });
    broken.use(target.app as express.Express);

    const outcome = await verifyProvider({ ...target, implementation: 'users-service-broken', app: broken, resultsDir });
    expect(outcome.passed).toBe(false);
    // The verifier names the mismatch: the id of a user (get by id, create, update, lookup) is not a number.
    expect(outcome.failures).toContainEqual(expect.stringMatching(/a request for user 10: \$\.id Expected '10' \(String\) to be equal to 10 \(Integer\)/));
    expect(outcome.failures).toContainEqual(expect.stringMatching(/a request to create a user: \$\.id/));
    expect(latestResult('users-api', 'users-service-broken', { resultsDir })).toMatchObject({ passed: false, implementation: 'users-service-broken' });
    expect(isVerifiedForCurrentPact('users-api', 'users-service-broken', { resultsDir })).toBe(false);
  }, 120_000);
});
