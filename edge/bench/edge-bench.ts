// `npm run bench:edge` — a benchmark, not a test: the same load against the same upstream, directly, through nginx,
// through a bare http-proxy, and through the real edge (users slice at 50 %), then how the edge compares.
// Options: --duration <s> (10), --connections <n> (50), --warmup <s> (2), --identities <n> (1000),
//          --workers <n> (proxy processes of the edge and of the bare http-proxy alike; default: one per CPU, the
//          edge's own default), --cpu-prof (write CPU profiles of the edge processes to .bench/profiles).
// `--freeze` runs freeze-bench.ts instead (reads while the users service is SIGSTOPped; --rate <reads/s> (50),
//          --freeze-s <s> (5)), hedging off and on.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runFreezeBench } from './freeze-bench.js';
import { expectOk, load, makeIdentities, stopLoad, type Figures, type Identity, type LoadOptions } from './load.js';
import { NGINX_INSTALL_HINT, REPO_ROOT, cpuMs, startBareProxy, startEdge, startNginx, startUpstream, stopAll, type Target } from './targets.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    warmup: { type: 'string', default: '2' },
    identities: { type: 'string', default: '1000' },
    workers: { type: 'string', default: String(availableParallelism()) },
    'cpu-prof': { type: 'boolean', default: false },
    freeze: { type: 'boolean', default: false },
    rate: { type: 'string', default: '50' },
    'freeze-s': { type: 'string', default: '5' },
  },
});
const positive = (name: string, value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return number;
};
const options = {
  durationS: positive('duration', values.duration),
  connections: positive('connections', values.connections),
  warmupS: positive('warmup', values.warmup),
  identities: positive('identities', values.identities),
  workers: positive('workers', values.workers),
};
const JWT_ISSUER = 'strangler-legacy';
/** What the edge must reach, as a fraction of each baseline's requests/s. */
const GOALS = [
  { baseline: 'bare http-proxy', atLeast: 0.9 },
  { baseline: 'nginx', atLeast: 0.5 },
];

/** CPU time per measured request, in µs: of the server under test, of the upstream, of the bench itself (autocannon). */
interface CpuPerRequest {
  server?: number;
  upstream?: number;
  loadGenerator: number;
}

interface Row {
  target: string;
  figures?: Figures;
  cpuUs?: CpuPerRequest;
  note?: string;
}

const workDir = mkdtempSync(join(tmpdir(), 'edge-bench-'));
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.log(`\n${signal}: stopping everything the bench started`);
    stopLoad();
    void stopAll().finally(() => {
      rmSync(workDir, { recursive: true, force: true });
      process.exit(130);
    });
  });
}

/** Starts a target, checks one request, warms it up, measures it, stops it. */
async function measure(name: string, start: () => Promise<Target>, upstream: Target, identities: Identity[], loadOptions: LoadOptions): Promise<Row> {
  process.stdout.write(`${name.padEnd(18)} `);
  const target = await start();
  try {
    await expectOk(target.url, identities[0] as Identity);
    await load(target.url, identities, { ...loadOptions, durationS: options.warmupS });
    const [server, upstreamBefore, bench] = [cpuMs(target.pids()), cpuMs(upstream.pids()), process.cpuUsage()];
    const figures = await load(target.url, identities, loadOptions);
    const perRequest = (before: number | undefined, after: number | undefined) =>
      before === undefined || after === undefined ? undefined : Math.round((1000 * (after - before)) / figures.requests);
    const benchUsage = process.cpuUsage(bench);
    const cpuUs = {
      server: perRequest(server, cpuMs(target.pids())),
      upstream: perRequest(upstreamBefore, cpuMs(upstream.pids())),
      loadGenerator: Math.round((benchUsage.user + benchUsage.system) / figures.requests),
    };
    const note = await target.describe?.();
    console.log(`${figures.requestsPerSecond.toFixed(0)} req/s${note ? `  (${note})` : ''}`);
    return { target: name, figures, cpuUs, note };
  } finally {
    await target.stop();
  }
}

function printTable(rows: Row[]): void {
  const header = ['target', 'requests/s', 'p50 ms', 'p99 ms', 'errors', 'non-2xx', 'CPU µs/req'];
  const ms = (value: number) => (value < 1 ? '<1' : String(value));
  const measured = rows.map(({ target, figures: f, cpuUs }) =>
    f ? [target, f.requestsPerSecond.toFixed(0), ms(f.p50Ms), ms(f.p99Ms), String(f.errors), String(f.non2xx), String(cpuUs?.server ?? '?')] : undefined,
  );
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (i === 0 ? row.target.length : 0)), ...measured.map((line) => (line?.[i] ?? '').length)));
  const format = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  console.log(`\n${format(header)}`);
  rows.forEach((row, i) => console.log(measured[i] ? format(measured[i]) : `${row.target.padEnd(widths[0] ?? 0)}  SKIPPED: ${row.note}`));
  console.log('(CPU µs/req: CPU time of the server under test per measured request; latencies have 1 ms resolution)\n');
}

async function main(): Promise<void> {
  const jwtSecret = randomBytes(32).toString('base64url');
  if (values.freeze) {
    const results = await runFreezeBench({
      workDir,
      rate: positive('rate', values.rate),
      freezeMs: positive('freeze-s', values['freeze-s']) * 1000,
      jwtSecret,
      jwtIssuer: JWT_ISSUER,
    });
    const benchDir = join(REPO_ROOT, '.bench');
    mkdirSync(benchDir, { recursive: true });
    const file = join(benchDir, `edge-freeze-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, loadAverage: loadavg(), results }, null, 2)}\n`);
    console.log(`\nfigures: ${file}`);
    return;
  }
  const identities = await makeIdentities(options.identities, jwtSecret, JWT_ISSUER);
  const loadOptions = { connections: options.connections, durationS: options.durationS };
  console.log(
    `edge bench: ${options.durationS} s per target after ${options.warmupS} s warm-up, ${options.connections} connections, pipelining 1, ` +
      `GET /api/users/:id from ${options.identities} visitors (half bearer JWT, half sid cookie); ${options.workers} proxy process(es) for ` +
      `bare http-proxy and edge; node ${process.version}, ${cpus().length} CPUs, ` +
      `load average ${loadavg()[0]?.toFixed(1)} (everything else running on the machine skews the figures)\n`,
  );
  const loadBefore = loadavg();

  const upstream = await startUpstream(workDir);
  const rows: Row[] = [];
  rows.push(await measure('direct', async () => ({ ...upstream, stop: async () => undefined }), upstream, identities, loadOptions));
  const nginx = await startNginx(workDir, upstream);
  if (nginx) {
    rows.push(await measure('nginx', async () => nginx, upstream, identities, loadOptions));
  } else {
    rows.push({ target: 'nginx', note: `nginx is not installed; install it with: ${NGINX_INSTALL_HINT}` });
    console.log(`${'nginx'.padEnd(18)} SKIPPED: nginx is not installed; install it with: ${NGINX_INSTALL_HINT}`);
  }
  rows.push(await measure('bare http-proxy', () => startBareProxy(workDir, upstream, options.workers), upstream, identities, loadOptions));
  const cpuProfileDir = values['cpu-prof'] ? join(REPO_ROOT, '.bench', 'profiles') : undefined;
  rows.push(
    await measure('edge (users 50 %)', () => startEdge({ logDir: workDir, upstream, jwtSecret, jwtIssuer: JWT_ISSUER, workers: options.workers, cpuProfileDir }), upstream, identities, loadOptions),
  );
  await upstream.stop();
  if (interrupted) return;

  printTable(rows);
  const rate = (target: string) => rows.find((row) => row.target.startsWith(target))?.figures?.requestsPerSecond;
  const edge = rate('edge') ?? 0;
  const ratios = GOALS.map(({ baseline, atLeast }) => {
    const base = rate(baseline);
    const ratio = base ? edge / base : undefined;
    const verdict = ratio === undefined ? 'SKIPPED' : ratio >= atLeast ? 'PASS' : 'MISS';
    console.log(`edge / ${baseline.padEnd(16)} ${ratio === undefined ? ' n/a' : ratio.toFixed(2)}  (target ≥ ${atLeast.toFixed(2)})  ${verdict}`);
    return { baseline, ratio, target: atLeast, verdict };
  });

  const benchDir = join(REPO_ROOT, '.bench');
  mkdirSync(benchDir, { recursive: true });
  const file = join(benchDir, `edge-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const report = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, loadAverage: { before: loadBefore, after: loadavg() }, options, targets: rows, ratios };
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nfigures: ${file}${cpuProfileDir ? `\nedge CPU profile: ${cpuProfileDir}` : ''}`);
}

main()
  .catch((error: unknown) => {
    if (interrupted) return;
    console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}\n(logs kept in ${workDir})`);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (interrupted) return;
    await stopAll();
    if (process.exitCode !== 1) rmSync(workDir, { recursive: true, force: true });
  });
