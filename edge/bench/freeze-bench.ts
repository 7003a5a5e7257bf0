// `npm run bench:edge -- --freeze` — not a test: how long reads take while the users service is frozen (SIGSTOP) for
// 5 s, with hedging off (the baseline: every read that reaches the frozen service waits SERVICE_TIMEOUT_MS) and on.
// The edge (src/server.ts, one worker, users at 100 % from a flag snapshot) sits in front of a fake legacy and a fake
// users service, each its own process; reads arrive at a steady rate before, during and after the freeze.
import http from 'node:http';
import { startBackend, startEdge, type Target } from './targets.js';

export interface FreezeOptions {
  workDir: string;
  /** Reads per second, steady (open loop: a slow answer does not slow the next request down). */
  rate: number;
  freezeMs: number;
  jwtSecret: string;
  jwtIssuer: string;
}

interface Read {
  sentAt: number;
  ms: number;
  status: number;
  backend: string;
}

interface RunFigures {
  hedging: 'off' | 'on';
  reads: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  fromLegacy: number;
  metrics: Record<string, number>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function read(agent: http.Agent, url: string, id: number): Promise<Read> {
  const sentAt = performance.now();
  return new Promise((resolve) => {
    const req = http.get(`${url}/api/users/${id}`, { agent, headers: { cookie: `sid=bench-visitor-${id % 1000}-padding-xx` } }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ sentAt, ms: performance.now() - sentAt, status: res.statusCode ?? 0, backend: String(res.headers['x-strangler-backend'] ?? '?') }),
      );
      res.on('error', () => resolve({ sentAt, ms: performance.now() - sentAt, status: 0, backend: 'error' }));
    });
    req.on('error', () => resolve({ sentAt, ms: performance.now() - sentAt, status: 0, backend: 'error' }));
  });
}

async function edgeMetrics(adminUrl: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${adminUrl}/metrics`)).text();
  const sum = (name: string, filter = '') =>
    [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)`, 'gm'))].filter(([, labels]) => (labels ?? '').includes(filter)).reduce((total, [, , value]) => total + Number(value), 0);
  return {
    hedges: sum('edge_hedges_total'),
    hedgeWinsLegacy: sum('edge_hedge_wins_total', 'winner="legacy"'),
    fallbacksTimeout: sum('edge_fallbacks_total', 'reason="timeout"'),
    fallbacksHedge: sum('edge_fallbacks_total', 'reason="hedge"'),
    fallbacksBreakerOpen: sum('edge_fallbacks_total', 'reason="breaker_open"'),
    breakerOpened: sum('edge_breaker_transitions_total', 'state="open"'),
  };
}

async function run(hedging: 'off' | 'on', options: FreezeOptions): Promise<RunFigures> {
  const started: Target[] = [];
  const legacy = await startBackend(options.workDir, 'legacy');
  started.push(legacy);
  const service = await startBackend(options.workDir, 'users');
  started.push(service);
  let frozen = false;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });
  try {
    const edge = await startEdge({
      logDir: options.workDir,
      upstream: { legacyUrl: legacy.url, serviceUrl: service.url },
      usersRollout: 100,
      jwtSecret: options.jwtSecret,
      jwtIssuer: options.jwtIssuer,
      workers: 1,
      env: { HEDGE_ENABLED: hedging === 'on' ? 'true' : 'false', LOG_LEVEL: 'warn' },
    });
    started.push(edge);

    const reads: Array<Promise<Read>> = [];
    let id = 0;
    const interval = 1000 / options.rate;
    const timer = setInterval(() => reads.push(read(agent, edge.url, ++id)), interval);
    await sleep(3000);
    const freezeStart = performance.now();
    process.kill(service.pid, 'SIGSTOP');
    frozen = true;
    await sleep(options.freezeMs);
    process.kill(service.pid, 'SIGCONT');
    frozen = false;
    const freezeEnd = performance.now();
    await sleep(2000);
    clearInterval(timer);
    const all = await Promise.all(reads);
    const during = all.filter((r) => r.sentAt >= freezeStart && r.sentAt < freezeEnd);
    const sorted = during.map((r) => r.ms).sort((a, b) => a - b);
    return {
      hedging,
      reads: during.length,
      failed: during.filter((r) => r.status !== 200).length,
      p50Ms: Math.round(quantile(sorted, 0.5)),
      p99Ms: Math.round(quantile(sorted, 0.99)),
      maxMs: Math.round(sorted[sorted.length - 1] ?? 0),
      fromLegacy: during.filter((r) => r.backend === 'legacy').length,
      metrics: await edgeMetrics(edge.adminUrl),
    };
  } finally {
    if (frozen) process.kill(service.pid, 'SIGCONT');
    agent.destroy();
    for (const target of started.reverse()) await target.stop();
  }
}

export async function runFreezeBench(options: FreezeOptions): Promise<RunFigures[]> {
  console.log(
    `freeze bench: GET /api/users/:id at ${options.rate}/s through the edge (users at 100 %, SERVICE_TIMEOUT_MS 3000, breaker defaults); ` +
      `the users service is SIGSTOPped for ${options.freezeMs / 1000} s after 3 s, then SIGCONTed; figures are of the reads sent during the freeze\n`,
  );
  const results: RunFigures[] = [];
  for (const hedging of ['off', 'on'] as const) {
    process.stdout.write(`hedging ${hedging.padEnd(3)} … `);
    const figures = await run(hedging, options);
    results.push(figures);
    console.log('done');
  }
  console.log(`\n${['hedging', 'reads', 'failed', 'p50 ms', 'p99 ms', 'max ms', 'served by legacy', 'edge counters'].join('  ')}`);
  for (const r of results) {
    const counters = Object.entries(r.metrics).map(([key, value]) => `${key}=${value}`).join(' ');
    console.log(`${r.hedging.padEnd(7)}  ${String(r.reads).padStart(5)}  ${String(r.failed).padStart(6)}  ${String(r.p50Ms).padStart(6)}  ${String(r.p99Ms).padStart(6)}  ${String(r.maxMs).padStart(6)}  ${String(r.fromLegacy).padStart(16)}  ${counters}`);
  }
  return results;
}
