import cluster from 'node:cluster';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, createLogger } from '@strangler/platform';
import { loadEdgeConfig, targetOverrides } from '../config.js';
import { createUnleashFlagEvaluator } from '../flags/unleash-flag-evaluator.js';
import { snapshotFileFor } from '../flags/snapshot-storage.js';
import { loadRouteTable, RouteTableError } from '../routes/route-table.js';
import { runPrimary, serveAsWorker } from './cluster.js';
import { createEdge } from './create-edge-server.js';

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Loads config and the route table (fail fast), then either runs the proxy here (EDGE_WORKERS=1) or forks
 * EDGE_WORKERS proxy workers and supervises them (see cluster.ts). Drains on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  const config = loadEdgeConfig();
  const baseLogger = createLogger({ name: 'edge', level: config.logLevel });
  const table = loadRouteTable(config.slicesDir, targetOverrides(config), config.slices);
  const describe = (ports: { port: number; adminPort: number }) => ({
    host: config.host,
    ...ports,
    workers: config.workers,
    slicesDir: config.slicesDir,
    legacy: table.legacy,
    slices: table.slices.map((slice) => ({ name: slice.name, flag: slice.flag, service: slice.service, legacy: slice.legacy })),
  });

  if (config.workers > 1 && cluster.isPrimary) {
    await runPrimary({
      workers: config.workers,
      adminServerListen: (server) => listen(server, config.adminPort, config.adminHost),
      describe,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      logger: baseLogger,
    });
    return;
  }

  const worker = cluster.isWorker ? cluster.worker : undefined;
  const logger = worker ? baseLogger.child({ worker: worker.id }) : baseLogger;
  const flags = createUnleashFlagEvaluator({
    url: config.unleashUrl,
    clientToken: config.unleashClientToken,
    appName: config.unleashAppName,
    instanceId: config.unleashInstanceId || undefined,
    refreshIntervalMs: config.unleashRefreshMs,
    requestTimeoutMs: config.unleashTimeoutMs,
    sendMetrics: config.unleashSendMetrics,
    snapshotFile: snapshotFileFor(config.flagSnapshotDir, config.unleashAppName),
    logger,
  });
  const edge = createEdge({ config, table, flags, logger });

  const port = await listen(edge.server, config.port, config.host);
  if (worker) {
    // The primary serves the admin listener for every worker.
    serveAsWorker(edge, port);
    logger.debug({ port }, 'worker listening');
  } else {
    const adminPort = await listen(edge.adminServer, config.adminPort, config.adminHost);
    logger.info(describe({ port, adminPort }), 'listening');
  }

  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ reason: signal }, 'shutting down: draining in-flight requests');
      edge
        .close({ timeoutMs: config.shutdownTimeoutMs })
        .then(() => flags.close())
        .then(
          () => {
            logger.info('shutdown complete');
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
    });
  }
}

main().catch((error: unknown) => {
  // Config and route-table problems are the operator's to fix: print them plainly, without a stack trace.
  if (error instanceof ConfigError || error instanceof RouteTableError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
