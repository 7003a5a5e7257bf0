import type {
  BackendHealth,
  CdcRegisterResult,
  CdcStatusReport,
  ConnectorReport,
  InitResult,
  ProjectorReport,
  RolloutResult,
  StatusReport,
  SwitchResult,
} from './commands.js';
import type { ContractCheck } from './contract-gate.js';

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

function backend(health: BackendHealth): string {
  return health.status === 'up' ? 'up' : `DOWN (${health.detail ?? 'no answer'})`;
}

export function describeContract(check: ContractCheck): string {
  if (check.result === 'none') return check.provider ? 'none' : 'no contract';
  if (check.result === 'unreadable') return 'unreadable record';
  const pact = check.currentPact === true ? 'current pact' : check.currentPact === false ? 'OLD pact' : 'pact unknown';
  const when = check.verifiedAt ? ` ${check.verifiedAt.slice(0, 16).replace('T', ' ')}` : '';
  return `${check.result === 'passed' ? 'passed' : 'FAILED'} (${pact})${when}`;
}

export function formatStatus(report: StatusReport): string {
  const rows = report.slices.map((s) => [
    s.slice,
    s.flag,
    s.state,
    s.rollout === null ? '-' : `${s.rollout}%`,
    backend(s.legacy),
    backend(s.service),
    s.contract.provider ? `${s.contract.implementation}` : '-',
    describeContract(s.contract),
  ]);
  const notes = report.slices
    .filter((s) => s.state === 'disabled')
    .map((s) => `${s.slice}: flag disabled (killed?): all traffic goes to legacy; \`strangler resume ${s.slice}\` turns it back on.`);
  return [
    formatTable([['slice', 'flag', 'state', 'rollout', 'legacy', 'service', 'new provider', 'last contract verification'], ...rows]),
    '',
    `Unleash: ${report.unleashUrl}`,
    ...notes,
  ].join('\n');
}

export function formatRollout(result: RolloutResult): string {
  const from = result.previous === null ? '' : `${result.previous}% → `;
  const lines = [`${result.slice}: ${result.flag} rollout ${from}${result.rollout}%${result.forced ? ' (FORCED past the contract gate)' : ''}.`];
  if (!result.enabled) lines.push(`Note: the flag is disabled, so no traffic moves yet; \`strangler resume ${result.slice}\` turns it on.`);
  return lines.join('\n');
}

export function formatInit(result: InitResult): string {
  const rows = result.flags.map((f) => [f.flag, f.created ? 'created' : f.changes.length > 0 ? `fixed: ${f.changes.join(', ')}` : 'unchanged', `${f.rollout ?? 0}%`]);
  return formatTable([['flag', 'result', 'rollout'], ...rows]);
}

export function formatKill(result: SwitchResult): string {
  return `${result.slice}: ${result.flag} killed: disabled and rollout 0%. All ${result.slice} traffic goes to legacy.`;
}

export function formatResume(result: SwitchResult): string {
  const rollout = result.rollout ?? 0;
  const lines = [`${result.slice}: ${result.flag} enabled again at ${rollout}%.`];
  if (rollout === 0) lines.push(`Raise it stepwise, watching errors and latency in between: strangler rollout ${result.slice} 5, then 25, 50, 100.`);
  return lines.join('\n');
}

/** Seconds as a short duration: 850 ms, 1.2 s, 95 s. */
export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  return seconds < 10 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds)} s`;
}

export function formatConnector(connector: ConnectorReport): string {
  const where = `Kafka Connect ${connector.connectUrl}`;
  if (connector.error) return `Connector ${connector.name}: UNKNOWN: ${connector.error.message}`;
  if (!connector.registered) return `Connector ${connector.name}: not registered in ${where}; \`strangler cdc register\` registers the stack's connector.`;
  const rows = [
    ['connector', connector.state ?? '-', connector.workerId ?? '-', connector.trace ?? ''],
    ...connector.tasks.map((task) => [`task ${task.id}`, task.state, task.workerId, task.trace ?? '']),
  ];
  const lines = [`Connector ${connector.name} (${where}): ${connector.state}`, '', formatTable([['part', 'state', 'worker', 'trace'], ...rows])];
  if (connector.tasks.length === 0) lines.push('(no tasks yet)');
  return lines.join('\n');
}

function projectorRow(p: ProjectorReport): string[] {
  const eventLag = p.eventLag && p.eventLag.observations > 0 ? p.eventLag : undefined;
  return [
    p.name,
    backend(p.process),
    p.offsetLag === null ? '?' : String(p.offsetLag),
    eventLag ? formatSeconds(eventLag.p50) : '-',
    eventLag ? formatSeconds(eventLag.p99) : '-',
    p.applied === null ? '-' : String(p.applied),
    p.deadLetters === null ? '?' : String(p.deadLetters),
  ];
}

function partitionRows(p: ProjectorReport): string[][] {
  return [
    ...p.partitions.map((part) => [p.name, p.group, part.topic, String(part.partition), part.committed === null ? 'none' : String(part.committed), String(part.end), String(part.lag)]),
    ...p.missingTopics.map((topic) => [p.name, p.group, topic, '-', '-', '-', 'topic does not exist yet']),
  ];
}

export function formatCdcStatus(report: CdcStatusReport): string {
  const lines = [formatConnector(report.connector), ''];
  lines.push(
    formatTable([['projector', 'process', 'offset lag', 'event lag p50', 'event lag p99', 'applied', 'dead letters'], ...report.projectors.map(projectorRow)]),
  );
  const partitions = report.projectors.flatMap(partitionRows);
  if (partitions.length > 0) lines.push('', formatTable([['projector', 'consumer group', 'topic', 'partition', 'committed', 'end', 'lag'], ...partitions]));
  lines.push('');
  lines.push(report.kafka.reachable ? `Kafka: ${report.kafka.brokers.join(',')}` : `Kafka: UNREACHABLE: ${report.kafka.error?.message ?? report.kafka.brokers.join(',')} (offset lag and dead letters unknown: ?)`);
  for (const p of report.projectors) {
    for (const error of p.errors) lines.push(`${p.name}: ${error}`);
    if (p.deadLetters) lines.push(`${p.name}: ${p.deadLetters} record(s) in ${p.deadLetterTopic}: changes it could not apply.`);
  }
  return lines.join('\n');
}

export function formatCdcRegister(result: CdcRegisterResult): string {
  const what = result.created ? 'created' : 'updated (idempotent: the same config changes nothing)';
  const lines = [`Connector ${result.connector.name}: ${what} from cdc/connectors/legacy.json.`, '', formatConnector(result.connector)];
  if (result.settling) lines.push('', 'Not RUNNING yet; `strangler cdc status` shows how it goes on.');
  return lines.join('\n');
}
