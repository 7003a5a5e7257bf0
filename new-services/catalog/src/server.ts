import { ConfigError, createDb, createLogger, createMetrics, dbOptionsFromConfig, pingDb, serve } from '@strangler/platform';
import { loadCatalogConfig } from './config.js';
import { createApp } from './app.js';
import { createServices } from './services.js';

async function main(): Promise<void> {
  const config = loadCatalogConfig();
  const logger = createLogger({ name: config.serviceName, level: config.logLevel });
  const metrics = createMetrics({ service: config.serviceName });
  const db = createDb(dbOptionsFromConfig(config));
  const app = createApp({
    logger,
    metrics,
    bodyLimit: config.bodyLimit,
    readiness: () => pingDb(db),
    services: createServices(db),
  });
  await serve({
    app,
    host: config.host,
    port: config.port,
    logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    closers: [() => db.destroy()],
  });
}

main().catch((error: unknown) => {
  // Config problems are the operator's to fix: print them plainly, without a stack trace.
  if (error instanceof ConfigError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
