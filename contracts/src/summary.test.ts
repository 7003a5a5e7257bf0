import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedPactFile } from './paths.js';
import { verificationRecord, writeResult } from './results.js';
import { CONSUMER } from './slices.js';
import { formatSummary, summarize } from './summary.js';

function recordFor(provider: string, implementation: string, passed: boolean, options: { verifiedAt?: Date; content?: string } = {}) {
  const pactFile = committedPactFile(CONSUMER, provider);
  return verificationRecord({
    provider,
    implementation,
    consumer: CONSUMER,
    pactFile,
    pactContent: options.content ?? readFileSync(pactFile),
    interactions: 10,
    passed,
    verifiedAt: options.verifiedAt ?? new Date(),
  });
}

describe('summarize', () => {
  it('is ok only when every slice × implementation passed against the committed pact, and says why not', () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'strangler-summary-'));
    const since = new Date(Date.now() - 60_000);
    writeResult(recordFor('users-api', 'legacy', true), { resultsDir });
    writeResult(recordFor('users-api', 'users-service', false), { resultsDir });
    writeResult(recordFor('catalog-api', 'legacy', true, { content: '{"an":"older pact"}' }), { resultsDir });
    // catalog-service: a pass from before this run does not count.
    writeResult(recordFor('catalog-api', 'catalog-service', true, { verifiedAt: new Date(since.getTime() - 1000) }), { resultsDir });

    const { rows, ok } = summarize({ resultsDir, since });
    expect(ok).toBe(false);
    expect(rows.map((r) => [r.slice, r.provider, r.implementation, r.result])).toEqual([
      // The slice manifests in name order: catalog, then users.
      ['catalog', 'catalog-api', 'legacy', 'STALE PACT'],
      ['catalog', 'catalog-api', 'catalog-service', 'NOT RUN'],
      ['users', 'users-api', 'legacy', 'passed'],
      ['users', 'users-api', 'users-service', 'FAILED'],
    ]);

    writeResult(recordFor('users-api', 'users-service', true), { resultsDir });
    writeResult(recordFor('catalog-api', 'legacy', true), { resultsDir });
    writeResult(recordFor('catalog-api', 'catalog-service', true), { resultsDir });
    expect(summarize({ resultsDir, since }).ok).toBe(true);
  });

  it('counts a missing record as NOT RUN', () => {
    const { rows, ok } = summarize({ resultsDir: mkdtempSync(join(tmpdir(), 'strangler-summary-')) });
    expect(ok).toBe(false);
    expect(rows.every((r) => r.result === 'NOT RUN' && r.interactions === undefined)).toBe(true);
  });
});

describe('formatSummary', () => {
  it('prints an aligned table: slice, provider, implementation, interactions, result', () => {
    const table = formatSummary([
      { slice: 'users', provider: 'users-api', implementation: 'legacy', interactions: 10, result: 'passed' },
      { slice: 'catalog', provider: 'catalog-api', implementation: 'catalog-service', interactions: undefined, result: 'NOT RUN' },
    ]);
    expect(table.split('\n')).toEqual([
      'slice    provider     implementation   interactions  result',
      '-------  -----------  ---------------  ------------  -------',
      'users    users-api    legacy           10            passed',
      'catalog  catalog-api  catalog-service  -             NOT RUN',
    ]);
  });
});
