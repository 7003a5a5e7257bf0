import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from './logger.js';

export interface RunningServer {
  server: http.Server;
  port: number;
  /** Stops accepting, drains in-flight requests (bounded by the timeout), runs the closers. */
  shutdown(reason: string): Promise<void>;
}

export interface ServeOptions {
  app: Express;
  host: string;
  port: number;
  logger: Logger;
  shutdownTimeoutMs: number;
  /** Run after the last request has finished: close pools, flush, ... */
  closers?: Array<() => Promise<void>>;
  /** Install SIGTERM/SIGINT handlers that shut down and exit 0 (off in tests). */
  handleSignals?: boolean;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const { app, logger } = options;
  const server = http.createServer(app);
  // Keep-alive clients must learn we are going away, or they reuse a socket we are about to close.
  // Decided when the head is written, so requests already in flight when draining starts are covered too.
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: http.ServerResponse, ...args: Parameters<typeof writeHead>) {
      if (app.locals.draining && !this.headersSent) this.setHeader('connection', 'close');
      return writeHead.apply(this, args);
    } as typeof writeHead;
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  logger.info({ host: options.host, port }, 'listening');

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    shuttingDown ??= (async () => {
      logger.info({ reason }, 'shutting down: draining in-flight requests');
      app.locals.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => {
        logger.warn({ timeoutMs: options.shutdownTimeoutMs }, 'drain timeout: closing remaining connections');
        server.closeAllConnections();
      }, options.shutdownTimeoutMs);
      force.unref();
      await closed;
      clearTimeout(force);
      for (const close of options.closers ?? []) {
        try {
          await close();
        } catch (error) {
          logger.error({ err: error }, 'error while closing a resource');
        }
      }
      logger.info('shutdown complete');
    })();
    return shuttingDown;
  };

  if (options.handleSignals ?? true) {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        // pino writes asynchronously: flush before exiting so the last lines ("shutdown complete") are not lost.
        const exit = (code: number) => logger.flush(() => process.exit(code));
        shutdown(signal).then(
          () => exit(0),
          () => exit(1),
        );
      });
    }
  }
  return { server, port, shutdown };
}
