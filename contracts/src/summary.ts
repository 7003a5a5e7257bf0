import { verificationStatus, type ResultsLocation, type VerificationStatus } from './results.js';
import { verificationTargets } from './slices.js';

export type RowResult = 'passed' | 'FAILED' | 'NOT RUN' | 'STALE PACT' | 'NO PACT';

export interface SummaryRow {
  slice: string;
  provider: string;
  implementation: string;
  interactions: number | undefined;
  result: RowResult;
}

/**
 * One row per slice × implementation from the records. `since`: records written before it (a previous run's) count
 * as NOT RUN, so a verification that crashed before writing cannot hide behind an old pass.
 */
export function summarize(options: ResultsLocation & { since?: Date } = {}): { rows: SummaryRow[]; ok: boolean } {
  const rows = verificationTargets().map(({ slice, provider, implementation }): SummaryRow => {
    const status = verificationStatus(provider, implementation, options);
    return { slice, provider, implementation, interactions: status.record?.interactions, result: rowResult(status, options.since) };
  });
  return { rows, ok: rows.every((row) => row.result === 'passed') };
}

/** The summary's verdict on one verification status; a record from before `since` counts as NOT RUN. */
export function rowResult(status: VerificationStatus, since?: Date): RowResult {
  const record = status.record;
  if (!record || (since && new Date(record.verifiedAt) < since)) {
    return status.verified === false && status.reason === 'no-pact' ? 'NO PACT' : 'NOT RUN';
  }
  if (status.verified) return 'passed';
  if (status.reason === 'pact-changed') return 'STALE PACT';
  if (status.reason === 'no-pact') return 'NO PACT';
  return 'FAILED';
}

export function formatSummary(rows: SummaryRow[]): string {
  const header = ['slice', 'provider', 'implementation', 'interactions', 'result'];
  return formatColumns(header, rows.map((r) => [r.slice, r.provider, r.implementation, interactionsCell(r.interactions), r.result]));
}

export function interactionsCell(interactions: number | undefined): string {
  return interactions === undefined ? '-' : String(interactions);
}

/** A plain-text table: columns padded to their widest cell, a dashed rule under the header. */
export function formatColumns(header: string[], cells: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
