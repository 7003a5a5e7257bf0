import type { ContractCheck } from '../contract-gate.js';
import { formatBackendHealth, formatTable } from '../format.js';
import type { InitResult, RolloutResult, StackStatus, StatusReport, SwitchResult } from './rollout-commands.js';

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
    formatBackendHealth(s.legacy),
    formatBackendHealth(s.service),
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
    '',
    formatStackStatus(report.stack),
  ].join('\n');
}

const time = (iso: string) => `${iso.slice(11, 19)}Z`;

/** The launcher's processes: state, pid, restarts, last exit and how long the last recovery took. */
export function formatStackStatus(stack: StackStatus): string {
  const heading = stack.running
    ? `Stack: launcher pid ${stack.launcherPid}${stack.detail ? `, ${stack.detail}` : ''} (${stack.file})`
    : `Stack: ${stack.detail ?? 'not running'}`;
  if (!stack.running || stack.components.length === 0) return heading;
  const rows = stack.components.map((c) => [
    c.name,
    c.state,
    c.pid === null ? '-' : String(c.pid),
    String(c.restarts),
    c.lastExit ? `${c.lastExit.code} at ${time(c.lastExit.at)}` : '-',
    c.lastRestartMs === null ? '-' : `${(c.lastRestartMs / 1000).toFixed(1)} s`,
  ]);
  return [heading, formatTable([['component', 'state', 'pid', 'restarts', 'last exit', 'last recovery'], ...rows])].join('\n');
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
