import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { committedPactFile, REPO_ROOT } from '../paths.js';
import { verificationRecord, writeResult } from '../results.js';
import { CHANGE_EVENTS_PROVIDER, PROJECTOR_CONSUMERS } from './change-events.js';
import { formatMessageSummary, MESSAGE_VERIFICATION_TESTS, messageConsumerTests, summarizeMessagePacts } from './message-summary.js';

function recordFor(consumer: string, passed: boolean, options: { verifiedAt?: Date; content?: string; implementation?: string } = {}) {
  const pactFile = committedPactFile(consumer, CHANGE_EVENTS_PROVIDER);
  return verificationRecord({
    provider: CHANGE_EVENTS_PROVIDER,
    implementation: options.implementation ?? 'debezium',
    consumer,
    pactFile,
    pactContent: options.content ?? readFileSync(pactFile),
    interactions: 4,
    passed,
    verifiedAt: options.verifiedAt ?? new Date(),
  });
}

describe('summarizeMessagePacts', () => {
  it('one row per projector pact, each judged on its own record', () => {
    const resultsDir = mkdtempSync(join(tmpdir(), 'strangler-message-summary-'));
    const since = new Date(Date.now() - 60_000);
    expect(summarizeMessagePacts({ resultsDir, since }).rows.map((r) => r.result)).toEqual(['NOT RUN', 'NOT RUN']);

    writeResult(recordFor(PROJECTOR_CONSUMERS.users, true), { resultsDir });
    writeResult(recordFor(PROJECTOR_CONSUMERS.catalog, false), { resultsDir });
    let summary = summarizeMessagePacts({ resultsDir, since });
    expect(summary.ok).toBe(false);
    expect(summary.rows.map((r) => [r.consumer, r.provider, r.implementation, r.result])).toEqual([
      ['users-projector', 'legacy-change-events', 'debezium', 'passed'],
      ['catalog-projector', 'legacy-change-events', 'debezium', 'FAILED'],
    ]);

    writeResult(recordFor(PROJECTOR_CONSUMERS.catalog, true, { content: '{"an":"older pact"}' }), { resultsDir });
    expect(summarizeMessagePacts({ resultsDir, since }).rows[1]?.result).toBe('STALE PACT');
    // A passing record of another implementation (the breaking-change test's) does not count.
    writeResult(recordFor(PROJECTOR_CONSUMERS.catalog, true, { implementation: 'debezium-renamed-full-name' }), { resultsDir });
    expect(summarizeMessagePacts({ resultsDir, since }).rows[1]?.result).toBe('STALE PACT');

    writeResult(recordFor(PROJECTOR_CONSUMERS.catalog, true), { resultsDir });
    summary = summarizeMessagePacts({ resultsDir, since });
    expect(summary.ok).toBe(true);
    expect(formatMessageSummary(summary.rows).split('\n')).toEqual([
      'consumer           provider              implementation  interactions  result',
      '-----------------  --------------------  --------------  ------------  ------',
      'users-projector    legacy-change-events  debezium        4             passed',
      'catalog-projector  legacy-change-events  debezium        4             passed',
    ]);
  });
});

describe('what npm run contracts runs for the message pacts', () => {
  it('the consumer tests of both projectors, and a verification file that exists', () => {
    expect(messageConsumerTests()).toEqual([
      'contracts/src/messages/catalog-projector.consumer.test.ts',
      'contracts/src/messages/users-projector.consumer.test.ts',
    ]);
    expect(existsSync(join(REPO_ROOT, MESSAGE_VERIFICATION_TESTS))).toBe(true);
  });
});
