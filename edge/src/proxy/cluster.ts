import cluster, { type Worker } from 'node:cluster';
import type http from 'node:http';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from '@strangler/platform';
import type { FlagStatus } from '../flags/flag-evaluator.js';
import { createAdminServer, flagReadiness, type Readiness } from './admin-server.js';
import type { Edge } from './create-edge-server.js';

// One node process saturates one core; like nginx's worker_processes, the edge forks a proxy worker per core. The
// workers share the proxy port (node's cluster hands out connections round-robin); the primary proxies nothing: it
// keeps the workers running, and serves the admin listener for all of them (metrics summed, ready only when all are).

const LISTENING = 'strangler-edge:listening';
const STATUS_REQUEST = 'strangler-edge:status-request';
const STATUS_REPLY = 'strangler-edge:status';

interface WorkerStatus {
  flags: FlagStatus;
  draining: boolean;
}

type Message =
  | { type: typeof LISTENING; port: number }
  | { type: typeof STATUS_REQUEST; id: number }
  | { type: typeof STATUS_REPLY; id: number; status: WorkerStatus };

function isMessage(value: unknown): value is Message {
  const type = (value as { type?: unknown } | null)?.type;
  return type === LISTENING || type === STATUS_REQUEST || type === STATUS_REPLY;
}

/** In a worker: report the port to the primary, answer its status requests, and let it collect this worker's metrics. */
export function serveAsWorker(edge: Edge, port: number): void {
  AggregatorRegistry.setRegistries([edge.metrics.registry]);
  // prom-client installs a worker's answer to the primary's metrics requests when an AggregatorRegistry is built.
  new AggregatorRegistry();
  process.on('message', (message: unknown) => {
    if (!isMessage(message) || message.type !== STATUS_REQUEST) return;
    const reply: Message = { type: STATUS_REPLY, id: message.id, status: { flags: edge.flagStatus(), draining: edge.draining() } };
    process.send?.(reply);
  });
  process.send?.({ type: LISTENING, port } satisfies Message);
}

export interface PrimaryOptions {
  workers: number;
  adminServerListen(server: http.Server): Promise<number>;
  /** Logged once every worker listens (the same "listening" line as a single-process edge). */
  describe(ports: { port: number; adminPort: number }): Record<string, unknown>;
  shutdownTimeoutMs: number;
  logger: Logger;
  /** How long /ready waits for a worker's answer before counting it as not serving. */
  statusTimeoutMs?: number;
  /** Unexpected worker exits tolerated per minute before the primary gives up (and exits 1). */
  maxRestartsPerMinute?: number;
}

/** The primary: forks the workers, replaces crashed ones, serves the admin listener, and drains all on SIGTERM/SIGINT. */
export async function runPrimary(options: PrimaryOptions): Promise<void> {
  const { logger, workers } = options;
  const statusTimeoutMs = options.statusTimeoutMs ?? 1000;
  const maxRestarts = options.maxRestartsPerMinute ?? 5;
  const aggregator = new AggregatorRegistry();
  const recentExits: number[] = [];
  let stopping = false;
  let nextStatusId = 1;

  const live = (): Worker[] => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker?.isConnected() ?? false);

  const ask = (worker: Worker): Promise<WorkerStatus | undefined> =>
    new Promise((resolve) => {
      const id = nextStatusId++;
      const done = (status: WorkerStatus | undefined) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(status);
      };
      const onMessage = (message: unknown) => {
        if (isMessage(message) && message.type === STATUS_REPLY && message.id === id) done(message.status);
      };
      const timer = setTimeout(() => done(undefined), statusTimeoutMs);
      worker.on('message', onMessage);
      try {
        worker.send({ type: STATUS_REQUEST, id } satisfies Message);
      } catch {
        done(undefined);
      }
    });

  const readiness = async (): Promise<Readiness> => {
    if (stopping) return { ready: false, code: 'DRAINING', message: 'Shutting down' };
    const statuses = await Promise.all(live().map(ask));
    const serving = statuses.filter((status): status is WorkerStatus => status !== undefined && !status.draining);
    if (serving.length < workers) return { ready: false, code: 'WORKERS_NOT_READY', message: `${serving.length} of ${workers} proxy workers are serving` };
    const notLoaded = serving.map((status) => flagReadiness(status.flags, false)).find((result) => !result.ready);
    if (notLoaded) return notLoaded;
    const sources = [...new Set(serving.map((status) => status.flags.source))];
    const note = serving.find((status) => status.flags.note)?.flags.note;
    return { ready: true, body: { status: 'ready', flags: sources.join(','), ...(note ? { note } : {}), workers } };
  };

  const adminServer = createAdminServer({
    readiness,
    metrics: async () => ({ contentType: aggregator.contentType, text: await aggregator.clusterMetrics() }),
    logger,
  });

  const fork = (): Worker => cluster.fork();
  const shutdown = async (reason: string, exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason, workers: live().length }, 'shutting down: draining every worker');
    adminServer.close();
    adminServer.closeAllConnections();
    const exits = Object.values(cluster.workers ?? {}).map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (!worker || worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          worker.process.kill('SIGTERM');
        }),
    );
    // Workers drain for up to shutdownTimeoutMs themselves; anything still alive well after that is stuck.
    const force = setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
    }, options.shutdownTimeoutMs + 5000);
    await Promise.all(exits);
    clearTimeout(force);
    logger.info('shutdown complete');
    process.exit(exitCode);
  };

  // Startup: every worker must listen, or the edge does not start.
  const ports = await new Promise<number[]>((resolve, reject) => {
    const reported: number[] = [];
    const onListening = (_worker: Worker, message: unknown) => {
      if (!isMessage(message) || message.type !== LISTENING) return;
      reported.push(message.port);
      if (reported.length === workers) {
        cluster.off('message', onListening);
        cluster.off('exit', onEarlyExit);
        resolve(reported);
      }
    };
    const onEarlyExit = (worker: Worker, code: number | null, signal: string | null) => {
      cluster.off('message', onListening);
      cluster.off('exit', onEarlyExit);
      for (const other of live()) other.process.kill('SIGKILL');
      reject(new Error(`proxy worker ${worker.id} exited during startup (${signal ?? `code ${code}`}); its error is above`));
    };
    cluster.on('message', onListening);
    cluster.on('exit', onEarlyExit);
    for (let i = 0; i < workers; i++) fork();
  });

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    recentExits.push(now);
    while (recentExits.length > 0 && (recentExits[0] ?? now) < now - 60_000) recentExits.shift();
    logger.error({ worker: worker.id, pid: worker.process.pid, code, signal }, 'proxy worker exited unexpectedly');
    if (recentExits.length > maxRestarts) {
      logger.fatal({ exits: recentExits.length }, `more than ${maxRestarts} worker exits in a minute: stopping the edge`);
      void shutdown('workers keep exiting', 1);
      return;
    }
    // A moment's pause, so a worker that dies at once does not spin the CPU.
    setTimeout(() => {
      if (!stopping) fork();
    }, 1000).unref();
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void shutdown(signal, 0));

  const adminPort = await options.adminServerListen(adminServer);
  logger.info(options.describe({ port: ports[0] ?? 0, adminPort }), 'listening');
}
