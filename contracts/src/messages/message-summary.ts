import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { REPO_ROOT } from '../paths.js';
import { verificationStatus, type ResultsLocation } from '../results.js';
import { formatColumns, interactionsCell, rowResult, type RowResult } from '../summary.js';
import { CHANGE_EVENTS_IMPLEMENTATION, CHANGE_EVENTS_PROVIDER, PROJECTOR_CONSUMERS } from './change-events.js';

const MESSAGES_DIR = join(REPO_ROOT, 'contracts', 'src', 'messages');

/** Every message pact and what it is verified against, in a stable order. */
export const MESSAGE_PACTS = Object.values(PROJECTOR_CONSUMERS).map((consumer) => ({
  consumer,
  provider: CHANGE_EVENTS_PROVIDER,
  implementation: CHANGE_EVENTS_IMPLEMENTATION,
}));

/** For `npm run contracts`: the consumer tests that write the message pacts (vitest filters, from the repository root). */
export function messageConsumerTests(): string[] {
  return readdirSync(MESSAGES_DIR)
    .filter((name) => name.endsWith('.consumer.test.ts'))
    .sort()
    .map((name) => relative(REPO_ROOT, join(MESSAGES_DIR, name)));
}

/** For `npm run contracts`: the verification of every message pact against real Debezium events. */
export const MESSAGE_VERIFICATION_TESTS = 'contracts/src/messages/legacy-change-events.e2e.test.ts';

export interface MessageSummaryRow {
  consumer: string;
  provider: string;
  implementation: string;
  interactions: number | undefined;
  result: RowResult;
}

/** One row per message pact from the records, judged like the HTTP pacts' summary (summarize). */
export function summarizeMessagePacts(options: ResultsLocation & { since?: Date } = {}): { rows: MessageSummaryRow[]; ok: boolean } {
  const rows = MESSAGE_PACTS.map(({ consumer, provider, implementation }): MessageSummaryRow => {
    const status = verificationStatus(provider, implementation, { ...options, consumer });
    return { consumer, provider, implementation, interactions: status.record?.interactions, result: rowResult(status, options.since) };
  });
  return { rows, ok: rows.every((row) => row.result === 'passed') };
}

export function formatMessageSummary(rows: MessageSummaryRow[]): string {
  const header = ['consumer', 'provider', 'implementation', 'interactions', 'result'];
  return formatColumns(header, rows.map((r) => [r.consumer, r.provider, r.implementation, interactionsCell(r.interactions), r.result]));
}
