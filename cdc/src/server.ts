import { ConfigError, createDb, createHttpApp, createLogger, createMetrics, dbOptionsFromConfig, pingDb, serve } from '@strangler/platform';
import { loadCdcConfig } from './config.js';
import { projectorFor } from './projectors/registry.js';
import { createProjectorRuntime } from './runtime/runtime.js';

/**
 * The projector process: `PROJECTOR=users|catalog node --conditions=development --import tsx cdc/src/server.ts` (cdc/src/main.ts is an alias).
 * Applies the monolith's change events to one service's database; /health, /ready, /status and /metrics on PORT.
 * Kafka or the database going away is waited out (not consuming, /ready 503, one log line when it begins and one
 * when it ends); only a failure no wait can fix exits, non-zero.
 * SIGTERM/SIGINT: the listener drains, the batch in flight finishes and commits, then it disconnects and exits 0.
 */
async function main(): Promise<void> {
  const config = loadCdcConfig();
  const serviceName = `cdc-${config.projector}`;
  const logger = createLogger({ name: serviceName, level: config.logLevel });
  const metrics = createMetrics({ service: serviceName });
  const db = createDb(dbOptionsFromConfig(config));
  const runtime = createProjectorRuntime({ ...config, projector: projectorFor(config.projector), db, logger, registry: metrics.registry });

  const app = createHttpApp({
    logger,
    metrics,
    bodyLimit: '1kb',
    async readiness() {
      if (!runtime.isReady()) throw new Error(`not consuming: ${runtime.health().reason ?? 'not (yet) a positioned member of the consumer group'}`);
      await pingDb(db);
    },
    routes(router) {
      // Why /ready says what it says: consuming or not, Kafka reachable or not, the current outage and the last one.
      router.get('/status', (_req, res) => {
        res.json(runtime.health());
      });
    },
  });
  const server = await serve({
    app,
    host: config.host,
    port: config.port,
    logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    closers: [() => runtime.stop(), () => db.destroy()],
  });

  const exitWith = (code: number) => logger.flush(() => process.exit(code));
  runtime.failed.catch(async (error: unknown) => {
    logger.fatal({ err: error }, 'the consumer failed for good: exiting');
    await server.shutdown('consumer failed');
    exitWith(1);
  });
  try {
    await runtime.start();
  } catch (error) {
    logger.fatal({ err: error }, 'the projector could not start');
    await server.shutdown('start failed');
    exitWith(1);
  }
}

main().catch((error: unknown) => {
  // Config problems are the operator's to fix: print them plainly, without a stack trace.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
