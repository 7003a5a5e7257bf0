import {
  changeTopic,
  ConnectRequestError,
  ConnectUnavailableError,
  deadLetterTopic,
  defaultConsumerGroup,
  failedPart,
  isConnectorRunning,
  LEGACY_CONNECTOR_NAME,
  legacyConnectorConfig,
  PROJECTED_TABLES,
  PROJECTOR_NAMES,
  type ConnectClient,
  type ConnectorState,
  type ConnectorStatus,
  type LegacyConnectorSettings,
  type ProjectorName,
} from '@strangler/cdc/connect';
import type { ContractCheck, ContractGate } from './contract-gate.js';
import { KafkaUnreachableError, type KafkaOffsets } from './kafka-offsets.js';
import { histogramBuckets, histogramQuantile, parsePrometheusText, sumSamples } from './prometheus.js';
import type { SliceSpec } from './slices.js';
import { FlagShapeError, UnleashApiError, UnleashAuthError, UnleashUnreachableError, type FlagAdmin, type FlagState } from './unleash-admin.js';

/** Exit codes: 0 ok, 1 something failed at run time, 2 the command was wrong or refused. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A failure with its exit code and a stable UPPER_SNAKE code (for --json). */
export class CliError extends Error {
  constructor(
    readonly exitCode: typeof EXIT_FAILURE | typeof EXIT_USAGE,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Every error a command can end with, as a CliError (unknown errors are run-time failures). */
export function toCliError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof UnleashUnreachableError || error instanceof UnleashAuthError || error instanceof UnleashApiError || error instanceof FlagShapeError) {
    return new CliError(EXIT_FAILURE, error.code, error.message);
  }
  const connect = connectCliError(error);
  if (connect) return connect;
  return new CliError(EXIT_FAILURE, 'FAILED', error instanceof Error ? error.message : String(error));
}

export interface BackendHealth {
  url: string;
  status: 'up' | 'down';
  /** Why it is down: HTTP 503, ECONNREFUSED, timed out. */
  detail?: string;
}

export interface CliDeps {
  slices: readonly SliceSpec[];
  /** Every flag the launcher keeps in shape (the slices' and always users.reads, catalog.reads): what `init` ensures. */
  flags: readonly string[];
  /** Created on first use, so a missing token is reported only by commands that talk to Unleash (all do today). */
  admin(): FlagAdmin;
  gate: ContractGate;
  /** GET <base>/ready with a short timeout. */
  probe(baseUrl: string): Promise<BackendHealth>;
  /** stderr, even in --json mode. */
  warn(message: string): void;
  /** Kafka Connect, Kafka and the projectors, created on first use (only `strangler cdc …` needs them). */
  cdc(): CdcDeps;
}

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

export interface StatusReport {
  unleashUrl: string;
  slices: SliceStatus[];
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
  return { unleashUrl: admin.url, slices };
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

// ---------------------------------------------------------------------------------------------------------------
// strangler cdc status / register

/** The projectors the stack runs and the tables of the monolith each consumes (cdc/src/projectors/*). */
/** The projectors `cdc status` reports on, with the monolith tables each consumes (cdc's own list). */
export const CDC_PROJECTORS = PROJECTOR_NAMES.map((name) => ({ name, tables: PROJECTED_TABLES[name] }));
export type CdcProjectorName = ProjectorName;

/** The MariaDB account Debezium captures with (the launcher's CDC_MARIADB_USER, stack/src/components/cdc.ts). */
export const CDC_MARIADB_USER = 'cdc';

/** How often `cdc register` looks whether the connector runs yet. */
export const REGISTER_POLL_MS = 500;

export type CdcConnect = Pick<ConnectClient, 'url' | 'connectorStatus' | 'putConnectorConfig'>;

export type MetricsScrape = { ok: true; text: string } | { ok: false; detail: string };

export interface CdcDeps {
  kafkaBrokers: readonly string[];
  /** Change topics are <topicPrefix>.<sourceDatabase>.<table>; dead letters <topicPrefix>.dead-letter.<projector>. */
  topicPrefix: string;
  sourceDatabase: string;
  /** Consumer groups are <groupPrefix>-<projector>. */
  groupPrefix: string;
  projectorUrls: Record<CdcProjectorName, string>;
  connect: CdcConnect;
  /** A Kafka admin for one command; the command closes it. */
  kafka(): KafkaOffsets;
  /** GET <base>/metrics. */
  scrape(baseUrl: string): Promise<MetricsScrape>;
  /** Where and as whom the stack's connector connects; a CliError when the stack never wrote the password file. */
  connectorSettings(): LegacyConnectorSettings;
  registerWaitMs: number;
  sleep(ms: number): Promise<void>;
}

export interface ReportError {
  code: string;
  message: string;
}

export interface TaskReport {
  id: number;
  state: ConnectorState;
  workerId: string;
  /** First line of the Java stack trace of a FAILED task. */
  trace?: string;
}

export interface ConnectorReport {
  name: string;
  connectUrl: string;
  /** Null when Connect could not be asked. */
  registered: boolean | null;
  state: ConnectorState | null;
  workerId: string | null;
  trace?: string;
  tasks: TaskReport[];
  error?: ReportError;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's committed offset (next record to read); null: never committed, everything retained is lag. */
  committed: number | null;
  /** The high watermark: offset of the next record written. */
  end: number;
  lag: number;
}

export interface ProjectorReport {
  name: CdcProjectorName;
  url: string;
  process: BackendHealth;
  group: string;
  topics: string[];
  /** Topics that do not exist yet (Debezium creates one on the table's first change event). */
  missingTopics: string[];
  partitions: PartitionLag[];
  /** Sum of the partitions' lag; null when Kafka could not be asked. */
  offsetLag: number | null;
  /** From the cdc_event_lag_seconds histogram (apply time − source.ts_ms), in seconds; null without the metrics. */
  eventLag: { p50: number | null; p99: number | null; observations: number } | null;
  /** Sum of cdc_records_applied_total since the process started; null without the metrics. */
  applied: number | null;
  deadLetterTopic: string;
  /** Records in the dead-letter topic (0 when it does not exist); null when Kafka could not be asked. */
  deadLetters: number | null;
  /** Why Kafka offsets or metrics are missing, when the rest answered. */
  errors: string[];
}

export interface CdcStatusReport {
  connector: ConnectorReport;
  kafka: { brokers: string[]; reachable: boolean; error?: ReportError };
  projectors: ProjectorReport[];
}

function describeFetchCause(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) {
    if (cause.name === 'TimeoutError' || cause.name === 'AbortError') return 'timed out';
    const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
    return inner?.code ?? inner?.message ?? cause.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export const STACK_HINT = 'is the stack running? (npm start)';

/** Kafka Connect's errors as CliErrors: not running (with the hint) vs. refused. */
export function connectCliError(error: unknown): CliError | undefined {
  if (error instanceof ConnectUnavailableError) {
    return new CliError(EXIT_FAILURE, 'CONNECT_UNREACHABLE', `Kafka Connect is not reachable at ${error.url} (${describeFetchCause(error)}); ${STACK_HINT}`, {
      connectUrl: error.url,
    });
  }
  if (error instanceof ConnectRequestError) return new CliError(EXIT_FAILURE, 'CONNECT_REQUEST_FAILED', error.message, { status: error.status });
  return undefined;
}

const firstLine = (trace: string | undefined) => trace?.split('\n')[0]?.trim() || undefined;

function connectorReportOf(name: string, connectUrl: string, status: ConnectorStatus | undefined): ConnectorReport {
  if (!status) return { name, connectUrl, registered: false, state: null, workerId: null, tasks: [] };
  const trace = status.connector.state === 'FAILED' ? firstLine(status.connector.trace) : undefined;
  return {
    name,
    connectUrl,
    registered: true,
    state: status.connector.state,
    workerId: status.connector.worker_id,
    ...(trace ? { trace } : {}),
    tasks: [...status.tasks]
      .sort((a, b) => a.id - b.id)
      .map((task) => {
        const taskTrace = task.state === 'FAILED' ? firstLine(task.trace) : undefined;
        return { id: task.id, state: task.state, workerId: task.worker_id, ...(taskTrace ? { trace: taskTrace } : {}) };
      }),
  };
}

async function readConnector(connect: CdcConnect, name: string): Promise<ConnectorReport> {
  try {
    return connectorReportOf(name, connect.url, await connect.connectorStatus(name));
  } catch (error) {
    const failure = connectCliError(error);
    if (!failure) throw error;
    return { name, connectUrl: connect.url, registered: null, state: null, workerId: null, tasks: [], error: { code: failure.code, message: failure.message } };
  }
}

/** The connector or one of its tasks FAILED (exit 1, so a script can alert), or Connect could not say. */
export function connectorFailure(connector: ConnectorReport): CliError | undefined {
  if (connector.error) return new CliError(EXIT_FAILURE, connector.error.code, connector.error.message);
  const failed = [
    ...(connector.state === 'FAILED' ? [`connector ${connector.name} is FAILED${connector.trace ? `: ${connector.trace}` : ''}`] : []),
    ...connector.tasks.filter((task) => task.state === 'FAILED').map((task) => `task ${task.id} of connector ${connector.name} is FAILED${task.trace ? `: ${task.trace}` : ''}`),
  ];
  if (failed.length === 0) return undefined;
  return new CliError(
    EXIT_FAILURE,
    'CONNECTOR_FAILED',
    `${failed.join('; ')}. The worker's log has the whole trace; once the cause is fixed: curl -X POST '${connector.connectUrl}/connectors/${connector.name}/restart?includeTasks=true&onlyFailed=true'`,
  );
}

/** The metric names the projectors expose (cdc/src/runtime/metrics.ts). */
export const CDC_METRICS = {
  eventLag: 'cdc_event_lag_seconds',
  applied: 'cdc_records_applied_total',
} as const;

async function readProjectorMetrics(cdc: CdcDeps, url: string): Promise<{ eventLag: ProjectorReport['eventLag']; applied: number | null; error?: string; answered: boolean }> {
  const scrape = await cdc.scrape(url);
  if (!scrape.ok) return { eventLag: null, applied: null, error: `/metrics: ${scrape.detail}`, answered: false };
  try {
    const samples = parsePrometheusText(scrape.text);
    const buckets = histogramBuckets(samples, CDC_METRICS.eventLag);
    const observations = buckets.find((bucket) => bucket.le === Number.POSITIVE_INFINITY)?.count ?? 0;
    return {
      eventLag: { p50: histogramQuantile(0.5, buckets), p99: histogramQuantile(0.99, buckets), observations },
      applied: sumSamples(samples, CDC_METRICS.applied) ?? 0,
      answered: true,
    };
  } catch (error) {
    return { eventLag: null, applied: null, error: `/metrics unreadable: ${error instanceof Error ? error.message : String(error)}`, answered: true };
  }
}

async function readProjectorOffsets(
  kafka: KafkaOffsets,
  existing: ReadonlySet<string> | undefined,
  group: string,
  topics: readonly string[],
  deadLetterTopic: string,
): Promise<Pick<ProjectorReport, 'missingTopics' | 'partitions' | 'offsetLag' | 'deadLetters'> & { error?: string }> {
  if (!existing) return { missingTopics: [], partitions: [], offsetLag: null, deadLetters: null };
  const present = topics.filter((topic) => existing.has(topic));
  const missingTopics = topics.filter((topic) => !existing.has(topic));
  try {
    const [committed, watermarks, deadLetterMarks] = await Promise.all([
      kafka.committed(group, present),
      Promise.all(present.map(async (topic) => ({ topic, partitions: await kafka.watermarks(topic) }))),
      existing.has(deadLetterTopic) ? kafka.watermarks(deadLetterTopic) : Promise.resolve([]),
    ]);
    const partitions = watermarks.flatMap(({ topic, partitions: marks }) =>
      marks.map((mark): PartitionLag => {
        const offset = committed.find((c) => c.topic === topic && c.partition === mark.partition)?.offset ?? null;
        // Records below the low watermark are gone: a committed offset before it counts from there.
        return { topic, partition: mark.partition, committed: offset, end: mark.high, lag: Math.max(0, mark.high - Math.max(offset ?? mark.low, mark.low)) };
      }),
    );
    return {
      missingTopics,
      partitions,
      offsetLag: partitions.reduce((sum, p) => sum + p.lag, 0),
      deadLetters: deadLetterMarks.reduce((sum, p) => sum + Math.max(0, p.high - p.low), 0),
    };
  } catch (error) {
    return { missingTopics, partitions: [], offsetLag: null, deadLetters: null, error: `Kafka: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function projectorNames(cdc: Pick<CdcDeps, 'topicPrefix' | 'sourceDatabase' | 'groupPrefix'>, projector: (typeof CDC_PROJECTORS)[number]) {
  return {
    group: defaultConsumerGroup(projector.name, cdc.groupPrefix),
    topics: projector.tables.map((table) => changeTopic(cdc.topicPrefix, cdc.sourceDatabase, table)),
    deadLetterTopic: deadLetterTopic(cdc.topicPrefix, projector.name),
  };
}

/**
 * The CDC pipeline at a glance: the connector and its tasks in Kafka Connect, and per projector its process, its
 * consumer group's offset lag, its event-time lag and its dead letters. What does not answer is shown, not thrown;
 * only when nothing answers at all is it an error.
 */
export async function cdcStatusCommand(deps: CliDeps, options: { connector?: string } = {}): Promise<CdcStatusReport> {
  const cdc = deps.cdc();
  const kafka = cdc.kafka();
  try {
    const [connector, topics] = await Promise.all([
      readConnector(cdc.connect, options.connector ?? LEGACY_CONNECTOR_NAME),
      kafka.topics().then(
        (list) => ({ existing: new Set(list) }) as const,
        (error: unknown) => ({ error: { code: error instanceof KafkaUnreachableError ? error.code : 'KAFKA_ERROR', message: error instanceof Error ? error.message : String(error) } }) as const,
      ),
    ]);
    const existing = 'existing' in topics ? topics.existing : undefined;
    const answered: boolean[] = [];
    const projectors = await Promise.all(
      CDC_PROJECTORS.map(async (spec): Promise<ProjectorReport> => {
        const url = cdc.projectorUrls[spec.name];
        const names = projectorNames(cdc, spec);
        const [process, metrics, offsets] = await Promise.all([
          deps.probe(url),
          readProjectorMetrics(cdc, url),
          readProjectorOffsets(kafka, existing, names.group, names.topics, names.deadLetterTopic),
        ]);
        answered.push(process.status === 'up' || metrics.answered);
        const errors = [...(offsets.error ? [offsets.error] : []), ...(metrics.error && process.status === 'up' ? [metrics.error] : [])];
        return {
          name: spec.name,
          url,
          process,
          ...names,
          missingTopics: offsets.missingTopics,
          partitions: offsets.partitions,
          offsetLag: offsets.offsetLag,
          eventLag: metrics.eventLag,
          applied: metrics.applied,
          deadLetters: offsets.deadLetters,
          errors,
        };
      }),
    );
    const report: CdcStatusReport = {
      connector,
      kafka: { brokers: [...cdc.kafkaBrokers], reachable: existing !== undefined, ...('error' in topics ? { error: topics.error } : {}) },
      projectors,
    };
    if (connector.error?.code === 'CONNECT_UNREACHABLE' && !existing && !answered.includes(true)) {
      const projectorList = projectors.map((p) => `${p.name} ${p.url}`).join(', ');
      throw new CliError(
        EXIT_FAILURE,
        'CONNECT_UNREACHABLE',
        `nothing of the CDC pipeline answers: ${connector.error.message.replace(`; ${STACK_HINT}`, '')}, nor Kafka at ${cdc.kafkaBrokers.join(',')}, nor the projectors (${projectorList}); ${STACK_HINT}`,
        { connectUrl: connector.connectUrl, kafkaBrokers: [...cdc.kafkaBrokers], projectors: projectors.map((p) => ({ name: p.name, url: p.url })) },
      );
    }
    return report;
  } finally {
    await kafka.close().catch(() => undefined);
  }
}

/** Exit 1 when the connector or a task FAILED or Connect could not say; 0 otherwise (a down projector is shown). */
export function cdcStatusFailure(report: CdcStatusReport): CliError | undefined {
  return connectorFailure(report.connector);
}

export interface CdcRegisterResult {
  created: boolean;
  connector: ConnectorReport;
  /** The connector or a task is not RUNNING yet after STRANGLER_CDC_WAIT_MS. */
  settling: boolean;
}

const settled = (status: ConnectorStatus) => isConnectorRunning(status) || failedPart(status) !== undefined;

/**
 * PUTs cdc/connectors/legacy.json with the stack's settings, as `npm start` does (idempotent: creates or updates),
 * then waits (STRANGLER_CDC_WAIT_MS) until it and its tasks run or something FAILED.
 */
export async function cdcRegisterCommand(deps: CliDeps): Promise<CdcRegisterResult> {
  const cdc = deps.cdc();
  const config = legacyConnectorConfig(cdc.connectorSettings());
  try {
    const { created } = await cdc.connect.putConnectorConfig(LEGACY_CONNECTOR_NAME, config);
    const attempts = Math.max(1, Math.ceil(cdc.registerWaitMs / REGISTER_POLL_MS) + 1);
    let status: ConnectorStatus | undefined;
    for (let attempt = 1; attempt <= attempts; attempt += 1) {
      status = await cdc.connect.connectorStatus(LEGACY_CONNECTOR_NAME);
      if (status && settled(status)) break;
      if (attempt < attempts) await cdc.sleep(REGISTER_POLL_MS);
    }
    return { created, connector: connectorReportOf(LEGACY_CONNECTOR_NAME, cdc.connect.url, status), settling: !status || !settled(status) };
  } catch (error) {
    throw connectCliError(error) ?? error;
  }
}

export function cdcRegisterFailure(result: CdcRegisterResult): CliError | undefined {
  return connectorFailure(result.connector);
}
