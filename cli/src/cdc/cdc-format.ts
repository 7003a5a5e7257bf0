import { formatBackendHealth, formatTable } from '../format.js';
import type { CdcRegisterResult } from './cdc-register.js';
import type { CdcStatusReport, ProjectorReport } from './cdc-status.js';
import type { ConnectorReport } from './connector-report.js';

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
    formatBackendHealth(p.process),
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
