import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from './pact-file.js';
import { isVerifiedForCurrentPact, latestResult, resultFile, verificationRecord, verificationStatus, writeResult } from './results.js';

const PACT_V1 = '{"consumer":{"name":"storefront"},"provider":{"name":"users-api"},"interactions":[{"description":"one"}]}';
const PACT_V2 = '{"consumer":{"name":"storefront"},"provider":{"name":"users-api"},"interactions":[{"description":"two"}]}';

let resultsDir: string;
let pactFile: string;
beforeEach(() => {
  const root = mkdtempSync(join(tmpdir(), 'strangler-results-test-'));
  resultsDir = join(root, 'results');
  mkdirSync(join(root, 'pacts'));
  pactFile = join(root, 'pacts', 'storefront-users-api.json');
  writeFileSync(pactFile, PACT_V1);
});

function record(passed: boolean, content = PACT_V1, verifiedAt = new Date('2025-01-02T03:04:05.000Z')) {
  return verificationRecord({
    provider: 'users-api',
    implementation: 'users-service',
    consumer: 'storefront',
    pactFile,
    pactContent: content,
    interactions: 1,
    passed,
    verifiedAt,
  });
}

describe('verification records', () => {
  it('are written as <provider>--<implementation>.json and read back as the latest result', () => {
    const file = writeResult(record(true), { resultsDir });
    expect(file).toBe(join(resultsDir, 'users-api--users-service.json'));
    expect(resultFile('users-api', 'users-service', { resultsDir })).toBe(file);
    expect(latestResult('users-api', 'users-service', { resultsDir })).toEqual({
      provider: 'users-api',
      implementation: 'users-service',
      consumer: 'storefront',
      pactFile: expect.stringMatching(/storefront-users-api\.json$/),
      pactSha256: sha256(PACT_V1),
      interactions: 1,
      passed: true,
      verifiedAt: '2025-01-02T03:04:05.000Z',
    });
  });

  it('latest means the last one written', () => {
    writeResult(record(true), { resultsDir });
    writeResult(record(false, PACT_V1, new Date('2025-02-01T00:00:00.000Z')), { resultsDir });
    expect(latestResult('users-api', 'users-service', { resultsDir })).toMatchObject({ passed: false, verifiedAt: '2025-02-01T00:00:00.000Z' });
  });

  it('are undefined when never written, and a corrupt one is an error, not a pass', () => {
    expect(latestResult('users-api', 'users-service', { resultsDir })).toBeUndefined();
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'users-api--users-service.json'), JSON.stringify({ provider: 'users-api', passed: true }));
    expect(() => latestResult('users-api', 'users-service', { resultsDir })).toThrow(/not a verification record/);
  });
});

describe('isVerifiedForCurrentPact / verificationStatus', () => {
  const status = () => verificationStatus('users-api', 'users-service', { resultsDir, pactFile });
  const verified = () => isVerifiedForCurrentPact('users-api', 'users-service', { resultsDir, pactFile });

  it('is true for a passing record of the pact as it is now', () => {
    writeResult(record(true), { resultsDir });
    expect(verified()).toBe(true);
    expect(status()).toMatchObject({ verified: true, detail: expect.stringContaining('passed 1 interactions') });
  });

  it('is false without a record', () => {
    expect(verified()).toBe(false);
    expect(status()).toMatchObject({ verified: false, reason: 'no-record' });
  });

  it('is false for a failing record', () => {
    writeResult(record(false), { resultsDir });
    expect(verified()).toBe(false);
    expect(status()).toMatchObject({ verified: false, reason: 'failed' });
  });

  it('is false once the pact changed after the passing verification', () => {
    writeResult(record(true), { resultsDir });
    writeFileSync(pactFile, PACT_V2);
    expect(verified()).toBe(false);
    expect(status()).toMatchObject({ verified: false, reason: 'pact-changed' });
    // ...and true again once the new pact is verified.
    writeResult(record(true, PACT_V2), { resultsDir });
    expect(verified()).toBe(true);
  });

  it('is false when there is no pact to compare with', () => {
    writeResult(record(true), { resultsDir });
    expect(isVerifiedForCurrentPact('users-api', 'users-service', { resultsDir, pactFile: join(resultsDir, 'missing.json') })).toBe(false);
  });

  it('compares with the committed pact of the provider by default', () => {
    // No record in this results dir: the default pact is looked up, found (it is committed), and the answer is no-record.
    expect(verificationStatus('users-api', 'users-service', { resultsDir })).toMatchObject({ verified: false, reason: 'no-record' });
    expect(verificationStatus('nonexistent-api', 'x', { resultsDir })).toMatchObject({ verified: false, reason: 'no-pact' });
  });
});
