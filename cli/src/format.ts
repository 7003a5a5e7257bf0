import type { BackendHealth } from './cli-deps.js';

/** Columns padded to their widest cell, a dashed rule under the header; no colours (output is often piped). */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (!header) return '';
  return [line(header), line(header.map((_, i) => '-'.repeat(widths[i] ?? 0))), ...body.map(line)].join('\n');
}

/** A backend in a table cell: up, or DOWN with the reason. */
export function formatBackendHealth(health: BackendHealth): string {
  return health.status === 'up' ? 'up' : `DOWN (${health.detail ?? 'no answer'})`;
}
