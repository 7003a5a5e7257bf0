import type { SupervisedComponent, SupervisionReading } from '@strangler/stack/supervision-state';
import { FlagShapeError, type FlagState } from '@strangler/unleash-admin';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { BackendHealth, CliDeps } from '../cli-deps.js';
import type { ContractCheck } from '../contract-gate.js';
import type { SliceSpec } from '../slices.js';

export function findSlice(deps: Pick<CliDeps, 'slices'>, name: string): SliceSpec {
  const slice = deps.slices.find((s) => s.name === name || s.flag === name);
  if (slice) return slice;
  const known = deps.slices.map((s) => `${s.name} (${s.flag})`).join(', ');
  throw new CliError(EXIT_USAGE, 'UNKNOWN_SLICE', `unknown slice "${name}"; known slices: ${known}`, { known: deps.slices.map((s) => s.name) });
}

/** A whole percentage 0..100, as typed on the command line ("25" or "25%"). */
export function parsePercent(text: string): number {
  const match = /^(\d{1,3})%?$/.exec(text.trim());
  const percent = match ? Number(match[1]) : Number.NaN;
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    throw new CliError(EXIT_USAGE, 'INVALID_PERCENT', `percent must be a whole number from 0 to 100, got "${text}"`);
  }
  return percent;
}

export type FlagStateName = 'enabled' | 'disabled' | 'missing';

export interface SliceStatus {
  slice: string;
  flag: string;
  state: FlagStateName;
  /** The flexibleRollout percentage; null when the flag or its strategy is missing. */
  rollout: number | null;
  legacy: BackendHealth;
  service: BackendHealth;
  contract: ContractCheck;
}

/** What the local launcher supervises, from its supervision.json. */
export interface StackStatus {
  running: boolean;
  file: string;
  /** Why it is not running (no file, stopped, launcher gone); absent while it runs. */
  detail?: string;
  launcherPid?: number;
  updatedAt?: string;
  /** While it runs: each process; otherwise what the last run left (empty without a file). */
  components: SupervisedComponent[];
}

export interface StatusReport {
  unleashUrl: string;
  slices: SliceStatus[];
  stack: StackStatus;
}

export function stackStatus(reading: SupervisionReading): StackStatus {
  if (!reading.found) return { running: false, file: reading.file, detail: `stack not running (${reading.problem})`, components: [] };
  const { state } = reading;
  const known = { file: reading.file, launcherPid: state.launcherPid, updatedAt: state.updatedAt, components: state.components };
  if (state.stack === 'stopped') return { ...known, running: false, detail: `stack not running (stopped at ${state.updatedAt})` };
  if (!reading.launcherAlive) return { ...known, running: false, detail: `stack not running (launcher pid ${state.launcherPid} is gone; ${reading.file} is from ${state.updatedAt})` };
  return { ...known, running: true, detail: state.stack === 'running' ? undefined : `stack ${state.stack}` };
}

export async function statusCommand(deps: CliDeps): Promise<StatusReport> {
  const admin = deps.admin();
  // Each backend once, however many slices share it (legacy serves them all).
  const probes = new Map<string, Promise<BackendHealth>>();
  const probe = (url: string) => {
    if (!probes.has(url)) probes.set(url, deps.probe(url));
    return probes.get(url) as Promise<BackendHealth>;
  };
  const slices = await Promise.all(
    deps.slices.map(async (slice): Promise<SliceStatus> => {
      const [flag, legacy, service] = await Promise.all([admin.getFlag(slice.flag), probe(slice.legacy), probe(slice.service)]);
      return {
        slice: slice.name,
        flag: slice.flag,
        state: flag ? (flag.enabled ? 'enabled' : 'disabled') : 'missing',
        rollout: flag?.rollout ?? null,
        legacy,
        service,
        contract: deps.gate.check(slice.name),
      };
    }),
  );
  return { unleashUrl: admin.url, slices, stack: stackStatus(deps.supervision()) };
}

export interface RolloutResult {
  slice: string;
  flag: string;
  previous: number | null;
  rollout: number;
  enabled: boolean;
  forced: boolean;
  contract: ContractCheck;
}

function subject(check: ContractCheck): string {
  return check.provider ? `${check.provider} on ${check.implementation}` : `slice ${check.slice}`;
}

/**
 * Sets a slice's rollout. Above 0% only with a passing verification of the current pact by the slice's new provider,
 * unless forced (then a loud warning).
 */
export async function rolloutCommand(deps: CliDeps, sliceName: string, percentText: string, options: { force?: boolean } = {}): Promise<RolloutResult> {
  const slice = findSlice(deps, sliceName);
  const percent = parsePercent(percentText);
  const contract = deps.gate.check(slice.name);
  const gated = percent > 0 && !contract.verified;
  if (gated && !options.force) {
    throw new CliError(
      EXIT_USAGE,
      'CONTRACT_NOT_VERIFIED',
      `refusing to send ${percent}% of ${slice.name} to the new service: ${subject(contract)} has no passing verification of the current pact (${contract.detail}). ` +
        'Run `npm run contracts` and try again (or --force, at your own risk).',
      { contract },
    );
  }
  if (gated) {
    deps.warn(
      [
        '!!! WARNING: --force overrides the contract gate !!!',
        `!!! ${subject(contract)} is NOT verified against the current pact (${contract.detail}).`,
        `!!! Sending ${percent}% of ${slice.name} traffic to an unverified service; \`strangler kill ${slice.name}\` undoes it instantly.`,
      ].join('\n'),
    );
  }
  const admin = deps.admin();
  const before = await admin.getFlag(slice.flag);
  if (!before) {
    throw new FlagShapeError('FLAG_MISSING', `flag ${slice.flag} does not exist in Unleash at ${admin.url}; \`npm start\` creates it (or, for an Unleash the launcher does not run, \`strangler init\`)`);
  }
  const after = await admin.setRollout(slice.flag, percent);
  return { slice: slice.name, flag: slice.flag, previous: before.rollout ?? null, rollout: after.rollout ?? percent, enabled: after.enabled, forced: gated, contract };
}

export interface InitResult {
  flags: Array<{ flag: string; created: boolean; changes: string[]; enabled: boolean; rollout: number | null }>;
}

/**
 * Makes every declared flag exist in the launcher's shape, as `npm start` does on every start: for an Unleash the
 * launcher does not run (docker compose). New flags start at 0%; existing percentages are kept.
 */
export async function initCommand(deps: CliDeps): Promise<InitResult> {
  const admin = deps.admin();
  const flags: InitResult['flags'] = [];
  for (const flag of deps.flags) {
    const result = await admin.ensureFlag(flag, { description: `Routes ${flag.split('.')[0]} to its extracted service (edge)` });
    flags.push({ flag, created: result.created, changes: result.changes, enabled: result.state.enabled, rollout: result.state.rollout ?? null });
  }
  return { flags };
}

export interface SwitchResult {
  slice: string;
  flag: string;
  enabled: boolean;
  rollout: number | null;
}

function switchResult(slice: SliceSpec, state: FlagState): SwitchResult {
  return { slice: slice.name, flag: slice.flag, enabled: state.enabled, rollout: state.rollout ?? null };
}

/** All of a slice's traffic back to legacy at once: the environment off first (instant), then the rollout to 0. */
export async function killCommand(deps: CliDeps, sliceName: string): Promise<SwitchResult> {
  const slice = findSlice(deps, sliceName);
  const admin = deps.admin();
  await admin.setEnabled(slice.flag, false);
  return switchResult(slice, await admin.setRollout(slice.flag, 0));
}

/** The environment back on; the rollout stays where it is (0 after a kill). */
export async function resumeCommand(deps: CliDeps, sliceName: string): Promise<SwitchResult> {
  const slice = findSlice(deps, sliceName);
  return switchResult(slice, await deps.admin().setEnabled(slice.flag, true));
}
