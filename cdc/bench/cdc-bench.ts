// `npm run bench:cdc` — a benchmark, not a test: the real CDC pipeline (MariaDB binlog → Debezium on Kafka Connect →
// Kafka → the users projector → users_svc) on private components, measured two ways:
//  1. end-to-end lag under sustained writes to legacy at stepped rates (visible in users_svc − legacy COMMIT returned);
//  2. the initial snapshot of N users, against two baselines on the same data (raw Kafka consume, INSERT…SELECT).
// Options: --rates <list> (200,500,1000,2000 changes/s), --seconds <s> (30 per rate), --snapshot-users <n> (100000; 0
//          skips), --pool <n> (1000 rows the updates touch), --insert-share <0..1> (0.25), --durable (fsync per commit).
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import {
  Cleanup,
  cpuMs,
  createLegacyDatabase,
  createUsersDatabase,
  metricSum,
  REPO_ROOT,
  registerConnector,
  startBenchKafka,
  startBenchMariaDb,
  startUsersProjector,
} from './infra.js';
import { LagTracker, LegacyWriter, percentile, POLL_INTERVAL_MS, SEEN_WITHIN_MS, startKafkaReader, startWatcher, type StepWrites } from './lag.js';
import { measureSnapshot, type SnapshotFigures } from './snapshot.js';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '200,500,1000,2000' },
    seconds: { type: 'string', default: '30' },
    'snapshot-users': { type: 'string', default: '100000' },
    pool: { type: 'string', default: '1000' },
    'insert-share': { type: 'string', default: '0.25' },
    durable: { type: 'boolean', default: false },
  },
});
const wholeNumber = (name: string, value: string, min: number): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got ${value}`);
  return number;
};
const options = {
  rates: values.rates.split(',').map((rate) => wholeNumber('rates', rate.trim(), 1)),
  seconds: wholeNumber('seconds', values.seconds, 1),
  snapshotUsers: wholeNumber('snapshot-users', values['snapshot-users'], 0),
  pool: wholeNumber('pool', values.pool, 10),
  insertShare: Number(values['insert-share']),
  durable: values.durable,
};
if (!(options.insertShare >= 0 && options.insertShare <= 1)) throw new Error(`--insert-share must be between 0 and 1, got ${values['insert-share']}`);

// --- output: one redrawn status line on a terminal, a line every 5 s otherwise ------------------------------------------

const tty = process.stdout.isTTY === true;
let statusShown = false;
let lastStatusAt = 0;
function status(line: string): void {
  if (tty) {
    process.stdout.write(`\r\x1b[2K${line.slice(0, (process.stdout.columns || 120) - 1)}`);
    statusShown = true;
  } else if (Date.now() - lastStatusAt >= 5_000) {
    console.log(`  … ${line}`);
    lastStatusAt = Date.now();
  }
}
function log(line: string): void {
  if (statusShown) process.stdout.write('\r\x1b[2K');
  statusShown = false;
  console.log(line);
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const msText = (value: number | undefined) => (value === undefined ? '–' : value < 1 ? '<1' : value.toFixed(0));

// --- lifecycle: everything started is stopped by pid, also on Ctrl-C --------------------------------------------------

const workDir = mkdtempSync(join(tmpdir(), 'cdcb-'));
const cleanup = new Cleanup();
const abort = new AbortController();
let interrupts = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    interrupts++;
    if (interrupts === 1) {
      log(`\n${signal}: stopping everything the bench started (again to force)`);
      abort.abort(new Error(`interrupted by ${signal}`));
      return;
    }
    void cleanup.runAll(log).finally(() => {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

async function timed<T>(what: string, work: () => Promise<T>): Promise<T> {
  abort.signal.throwIfAborted();
  status(`${what} …`);
  const started = performance.now();
  const result = await work();
  log(`${what.padEnd(44)} ${seconds(performance.now() - started)}`);
  return result;
}

// --- lag steps --------------------------------------------------------------------------------------------------------

interface StepResult {
  targetRate: number;
  achievedRate: number;
  writes: number;
  inserts: number;
  updates: number;
  writeErrors: number;
  commitMs: { p50?: number; p99?: number };
  /** Commit returned → the change readable in Kafka (Debezium's part). */
  kafkaLagMs: { p50?: number; p99?: number; max?: number; notSeen: number };
  /** Commit returned → visible in users_svc: the figure. */
  lagMs: { p50?: number; p99?: number; max?: number };
  seen: number;
  notSeenWithin10s: number;
  drainMs: number;
  projector: { appliedPerSecond: number; recordsPerTransaction?: number; transactionMs?: number };
  /** CPU of each process during the write window, % of one core. */
  cpuPercent: Record<string, number | undefined>;
}

interface Report {
  steps: StepResult[];
  highestRateP99Under1s?: { targetRate: number; achievedRate: number };
  snapshot?: SnapshotFigures;
  watcherPolls?: number;
}

async function main(report: Report): Promise<void> {
  const signal = abort.signal;
  console.log(
    `cdc bench: rates ${options.rates.join(', ')} changes/s for ${options.seconds} s each (${Math.round(options.insertShare * 100)} % inserts, ` +
      `updates on a pool of ${options.pool} users), snapshot of ${options.snapshotUsers} users; node ${process.version}, ${cpus().length} CPUs, ` +
      `load average ${loadavg()[0]?.toFixed(1)} (everything else running on the machine skews the figures)\n` +
      `MariaDB ${options.durable ? 'durable (fsync per commit)' : 'in the test run\'s fast mode (no fsync per commit, as `npm test`); --durable for fsync'}\n`,
  );

  // 1. components, schemas, connector, projector
  const mariadb = await timed('mariadb (private, binlog ROW)', () => startBenchMariaDb(join(workDir, 'm'), cleanup, { durable: options.durable }));
  const kafka = await timed('kafka + kafka connect + debezium', () => startBenchKafka(join(workDir, 'k'), mariadb.cdcPassword, cleanup));
  const connection = { host: mariadb.host, port: mariadb.port, user: mariadb.user, password: mariadb.password };
  const [source, target] = ['legacy_lag', 'users_lag'];
  await timed(`legacy schema + ${options.pool} users (seed CLI)`, () => createLegacyDatabase(mariadb, source, options.pool, workDir, signal));
  await timed('users_svc schema (migrate CLI)', async () => {
    await createUsersDatabase(mariadb, target, workDir, signal);
    // Bench only (not in the service's migrations): the watcher's `updated_at >= ?` poll stays an index range scan.
    const db = await mysql.createConnection({ ...connection, database: target });
    await db.query('CREATE INDEX bench_accounts_updated_at ON accounts (updated_at)');
    await db.end();
  });
  const topicPrefix = 'lag';
  const connector = await timed('register connector', () => registerConnector(kafka, mariadb, source, topicPrefix, cleanup));
  const projector = await timed('users projector ready', () =>
    startUsersProjector({ kafka, mariadb, topicPrefix, sourceDatabase: source, targetDatabase: target, logDir: workDir }, cleanup),
  );
  const targetDb = await mysql.createConnection({ ...connection, database: target });
  await timed(`initial snapshot of the ${options.pool} pool users applied`, async () => {
    const deadline = Date.now() + 180_000;
    for (;;) {
      signal.throwIfAborted();
      const [rows] = await targetDb.query('SELECT COUNT(*) AS n FROM accounts');
      if (Number((rows as Array<{ n: number }>)[0]?.n) >= options.pool) return;
      if (Date.now() > deadline) throw new Error(`the pool's snapshot is not in ${target} after 180 s; see ${projector.logFile}`);
      await sleep(200);
    }
  });
  await targetDb.end();

  // 2. stepped rates
  const legacyDb = await mysql.createConnection({ ...connection, database: source });
  const [idRows] = await legacyDb.query('SELECT id FROM users ORDER BY id');
  await legacyDb.end();
  const poolIds = (idRows as Array<{ id: number }>).map((row) => row.id);
  const tracker = new LagTracker();
  const watcher = await startWatcher(connection, target, tracker, Date.now() - 1000);
  const reader = await startKafkaReader(kafka.brokers, connector.topic('users'), tracker);
  const writer = new LegacyWriter(connection, source, poolIds, options.insertShare, tracker);
  log('');
  try {
    for (const [step, rate] of options.rates.entries()) {
      signal.throwIfAborted();
      const pids: Record<string, number | undefined> = { projector: projector.pid, mariadb: mariadb.pid, ...kafka.pids(), bench: process.pid };
      const cpuBefore = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
      const metricsBefore = await projector.metrics();
      const started = performance.now();
      const label = `step ${step + 1}/${options.rates.length} ${rate}/s`;
      const writes: StepWrites = await writer.run(step, rate, options.seconds, signal, (stats) => {
        const done = stats.inserts + stats.updates;
        const pending = tracker.pending();
        status(`${label}: ${seconds(stats.elapsedMs)}/${options.seconds} s, ${done} written (${Math.round(done / (stats.elapsedMs / 1000))}/s), awaiting ${pending.kafka} in Kafka, ${pending.target} in users_svc`);
      });
      const writeWindowMs = performance.now() - started;
      const cpuPercent = Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => {
          const [before, after] = [cpuBefore[name], cpuMs(pid)];
          return [name, before === undefined || after === undefined ? undefined : Math.round((100 * (after - before)) / writeWindowMs)];
        }),
      );
      // Drain: every change of this step seen, or given up on after SEEN_WITHIN_MS.
      const drainStarted = performance.now();
      for (;;) {
        const pending = tracker.pending();
        if (pending.target === 0 && pending.kafka === 0) break;
        if (performance.now() - drainStarted > SEEN_WITHIN_MS + 2_000) break;
        status(`${label}: draining, awaiting ${pending.kafka} in Kafka, ${pending.target} in users_svc`);
        signal.throwIfAborted();
        await sleep(50);
      }
      const drainMs = performance.now() - drainStarted;
      const metricsAfter = await projector.metrics();
      const delta = (name: string) => metricSum(metricsAfter, name) - metricSum(metricsBefore, name);
      const transactions = delta('cdc_batch_duration_seconds_count');
      const applied = delta('cdc_records_applied_total');
      const lags = tracker.target[step] ?? { seen: [], notSeen: 0 };
      const kafkaLags = tracker.kafka[step] ?? { seen: [], notSeen: 0 };
      const total = writes.inserts + writes.updates;
      const result: StepResult = {
        targetRate: rate,
        achievedRate: total / (writes.elapsedMs / 1000),
        writes: total,
        inserts: writes.inserts,
        updates: writes.updates,
        writeErrors: writes.writeErrors,
        commitMs: { p50: percentile(writes.commitMs, 0.5), p99: percentile(writes.commitMs, 0.99) },
        kafkaLagMs: {
          p50: percentile(kafkaLags.seen, 0.5),
          p99: percentile(kafkaLags.seen, 0.99),
          max: percentile(kafkaLags.seen, 1),
          notSeen: kafkaLags.notSeen,
        },
        lagMs: { p50: percentile(lags.seen, 0.5), p99: percentile(lags.seen, 0.99), max: percentile(lags.seen, 1) },
        seen: lags.seen.length,
        notSeenWithin10s: lags.notSeen,
        drainMs,
        projector: {
          appliedPerSecond: applied / ((performance.now() - started) / 1000),
          recordsPerTransaction: transactions > 0 ? applied / transactions : undefined,
          transactionMs: transactions > 0 ? (1000 * delta('cdc_batch_duration_seconds_sum')) / transactions : undefined,
        },
        cpuPercent,
      };
      report.steps.push(result);
      log(
        `${label.padEnd(18)} achieved ${result.achievedRate.toFixed(0)}/s, lag p50 ${msText(result.lagMs.p50)} ms, p99 ${msText(result.lagMs.p99)} ms, ` +
          `max ${msText(result.lagMs.max)} ms, not seen within 10 s: ${result.notSeenWithin10s}${writes.writeErrors > 0 ? `, ${writes.writeErrors} write errors (${writer.lastError})` : ''}`,
      );
      // A moment of quiet so one step's tail does not start the next.
      await sleep(1_000, undefined, { signal });
    }
  } finally {
    report.watcherPolls = watcher.polls();
    await writer.close();
    await watcher.stop();
    await reader.stop();
  }
  // Nothing of the lag pipeline keeps running while the snapshot is measured.
  await projector.stop();
  await connector.remove();

  // 3 + 4. snapshot and baselines
  if (options.snapshotUsers > 0) {
    log('');
    report.snapshot = await measureSnapshot({ users: options.snapshotUsers, mariadb, kafka, cleanup, logDir: workDir, signal, log, status });
  }
}

// --- report -----------------------------------------------------------------------------------------------------------

function table(header: string[], rows: string[][]): void {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const format = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  console.log(format(header));
  rows.forEach((row) => console.log(format(row)));
}

function printReport(report: Report): void {
  if (report.steps.length > 0) {
    console.log('\nend-to-end lag: legacy COMMIT returned → row visible in users_svc (watcher polls every ~10 ms)');
    table(
      ['target/s', 'achieved/s', 'writes', 'p50 ms', 'p99 ms', 'max ms', 'not seen ≤10 s', 'Kafka p50', 'Kafka p99', 'commit p99'],
      report.steps.map((step) => [
        String(step.targetRate),
        step.achievedRate.toFixed(0),
        String(step.writes),
        msText(step.lagMs.p50),
        msText(step.lagMs.p99),
        msText(step.lagMs.max),
        String(step.notSeenWithin10s),
        msText(step.kafkaLagMs.p50),
        msText(step.kafkaLagMs.p99),
        msText(step.commitMs.p99),
      ]),
    );
    console.log('(Kafka p50/p99: commit → readable in the change topic, i.e. Debezium\'s share; the rest is the projector and the poll)\n');
    const names = Object.keys(report.steps[0]?.cpuPercent ?? {});
    table(
      ['target/s', 'projector rec/s', 'rec/txn', 'txn ms', ...names.map((name) => `CPU ${name}`)],
      report.steps.map((step) => [
        String(step.targetRate),
        step.projector.appliedPerSecond.toFixed(0),
        step.projector.recordsPerTransaction === undefined ? '–' : step.projector.recordsPerTransaction.toFixed(1),
        step.projector.transactionMs === undefined ? '–' : step.projector.transactionMs.toFixed(1),
        ...names.map((name) => (step.cpuPercent[name] === undefined ? '?' : `${step.cpuPercent[name]} %`)),
      ]),
    );
    console.log(`(projector figures from its /metrics over the step and its drain; CPU: % of one core during the write window, ${cpus().length} cores)\n`);
    const best = report.highestRateP99Under1s;
    console.log(
      best
        ? `highest rate with p99 lag < 1 s (and every change seen): ${best.targetRate}/s (achieved ${best.achievedRate.toFixed(0)}/s)`
        : 'highest rate with p99 lag < 1 s: none of the measured rates',
    );
  }
  const snapshot = report.snapshot;
  if (snapshot) {
    const { rawConsume, insertSelect } = snapshot.baselines;
    console.log(`\nsnapshot of ${snapshot.users} users (fresh connector, topic prefix, projector and target)`);
    table(
      ['', 'seconds', 'rows/s'],
      [
        ['registration → all rows in users_svc', (snapshot.totalMs / 1000).toFixed(1), snapshot.rowsPerSecond.toFixed(0)],
        ['  of which: registration → all records in Kafka', (snapshot.inKafkaMs / 1000).toFixed(1), (snapshot.users / (snapshot.inKafkaMs / 1000)).toFixed(0)],
        ['  projector: first → last row in users_svc', (snapshot.applyWindowMs / 1000).toFixed(1), snapshot.applyRowsPerSecond.toFixed(0)],
        ['baseline: raw kafkajs consume (first → last record)', (rawConsume.ms / 1000).toFixed(2), rawConsume.rowsPerSecond.toFixed(0)],
        ['baseline: INSERT…SELECT between the two databases', (insertSelect.ms / 1000).toFixed(2), insertSelect.rowsPerSecond.toFixed(0)],
      ],
    );
    console.log(
      `\nsnapshot time / INSERT…SELECT time          ${(snapshot.totalMs / insertSelect.ms).toFixed(1)}×\n` +
        `projector apply rate / raw consume rate      ${(snapshot.applyRowsPerSecond / rawConsume.rowsPerSecond).toFixed(3)}`,
    );
  }
}

const loadBefore = loadavg();
const report: Report = { steps: [] };
let failed = false;
try {
  await main(report);
} catch (error) {
  failed = true;
  if (!abort.signal.aborted) console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
} finally {
  status('stopping everything the bench started');
  await cleanup.runAll(log);
  log('');
}
const best = report.steps.filter((step) => step.notSeenWithin10s === 0 && (step.lagMs.p99 ?? Infinity) < 1000).sort((a, b) => b.targetRate - a.targetRate)[0];
if (best) report.highestRateP99Under1s = { targetRate: best.targetRate, achievedRate: best.achievedRate };
if (report.steps.length > 0 || report.snapshot) {
  printReport(report);
  const benchDir = join(REPO_ROOT, '.bench');
  mkdirSync(benchDir, { recursive: true });
  const file = join(benchDir, `cdc-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const notes = {
    lag: `commit = legacy's autocommit statement returned to the writer; visible = first watcher poll (every ~${POLL_INTERVAL_MS} ms) that reads the version or a newer one of the row`,
    notSeen: `versions not visible within ${SEEN_WITHIN_MS / 1000} s of their commit`,
    mariadb: options.durable ? 'fsync per commit' : 'fast mode: innodb_flush_log_at_trx_commit=2, sync_binlog=0',
    complete: !failed,
  };
  const json = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadAverage: { before: loadBefore, after: loadavg() }, options, notes, ...report };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nfigures: ${file}${failed ? ' (incomplete run)' : ''}`);
}
if (failed && !abort.signal.aborted) {
  // The throw-away folder goes either way; its logs (not the data) are kept for the diagnosis.
  const logsDir = join(REPO_ROOT, '.bench', `cdc-failed-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  cpSync(workDir, logsDir, { recursive: true, filter: (path) => (statSync(path).isDirectory() ? basename(path) !== 'data' : path.endsWith('.log')) });
  console.error(`logs: ${logsDir}`);
}
rmSync(workDir, { recursive: true, force: true });
if (failed) process.exitCode = abort.signal.aborted ? 130 : 1;
