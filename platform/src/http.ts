import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type Request, type RequestHandler } from 'express';
import type { Logger } from './logger.js';
import { runWithRequestId } from './logger.js';
import type { Metrics } from './metrics.js';
import { AppError, NotFoundError, errorBody } from './errors.js';

export interface HttpAppOptions {
  logger: Logger;
  metrics: Metrics;
  /** Largest JSON body, e.g. "100kb". */
  bodyLimit: string;
  /** Throws when a dependency (the database) is unreachable; drives /ready. */
  readiness: () => Promise<void>;
  /** Mounts the package's own routes. */
  routes: (app: Express) => void;
}

const INBOUND_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a well-formed inbound x-request-id (so ids survive the edge) or makes one; scopes it for the logger. */
const requestId: RequestHandler = (req, res, next) => {
  const inbound = req.get('x-request-id');
  const id = inbound && INBOUND_REQUEST_ID.test(inbound) ? inbound : randomUUID();
  res.locals.requestId = id;
  res.setHeader('x-request-id', id);
  runWithRequestId(id, next);
};

/**
 * The route pattern (`/api/users/:id`), never the raw path, keeps the metric's label set bounded. When a request
 * ends in the error middleware the router has already restored `baseUrl`, so the mount prefix is recovered from
 * the URL: the pattern has as many segments as the tail of the path it matched.
 */
function routeLabel(req: Request): string {
  if (!req.route) return 'unmatched';
  const pattern = String(req.route.path);
  if (req.baseUrl) return `${req.baseUrl}${pattern}`;
  const path = (req.originalUrl.split('?')[0] ?? '').replace(/\/+$/, '');
  const patternSegments = pattern.split('/').filter(Boolean).length;
  const pathSegments = path.split('/').filter(Boolean);
  const base = pathSegments.slice(0, pathSegments.length - patternSegments).join('/');
  return `${base ? `/${base}` : ''}${pattern}`;
}

function accessLog(logger: Logger, metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req);
      metrics.httpRequestDuration.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
      const level = res.statusCode >= 500 ? 'error' : 'info';
      runWithRequestId(res.locals.requestId as string, () =>
        logger[level](
          { method: req.method, url: req.originalUrl, status: res.statusCode, durationMs: Math.round(seconds * 1e4) / 10 },
          'request completed',
        ),
      );
    });
    next();
  };
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (error instanceof AppError) {
      res.status(error.statusCode).json(errorBody(error.code, error.message));
      return;
    }
    // body-parser errors carry a `type` and an HTTP status; they are the client's fault.
    const parserError = error as { type?: string; status?: number };
    switch (parserError.type) {
      case 'entity.parse.failed':
        res.status(400).json(errorBody('MALFORMED_JSON', 'Request body is not valid JSON'));
        return;
      case 'entity.too.large':
        res.status(413).json(errorBody('PAYLOAD_TOO_LARGE', 'Request body is too large'));
        return;
      case 'charset.unsupported':
      case 'encoding.unsupported':
        res.status(415).json(errorBody('UNSUPPORTED_ENCODING', 'Request body encoding is not supported'));
        return;
      case 'request.size.invalid':
      case 'request.aborted':
        res.status(400).json(errorBody('BAD_REQUEST', 'Request body does not match its Content-Length'));
        return;
    }
    if (typeof parserError.status === 'number' && parserError.status >= 400 && parserError.status < 500) {
      res.status(parserError.status).json(errorBody('BAD_REQUEST', 'Bad request'));
      return;
    }
    logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unhandled error');
    res.status(500).json(errorBody('INTERNAL_ERROR', 'Internal server error'));
  };
}

/**
 * The express bootstrap every service shares: request id, access log + latency metrics, JSON body limit,
 * /health (liveness), /ready (dependencies reachable, false while draining), /metrics, the package's routes,
 * a JSON 404 and one error middleware.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const { logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.locals.draining = false;

  app.use(requestId);
  app.use(accessLog(logger, metrics));
  app.use(express.json({ limit: options.bodyLimit, strict: true }));

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (req, res) => {
    if (req.app.locals.draining) {
      res.status(503).json(errorBody('DRAINING', 'Shutting down'));
      return;
    }
    try {
      await options.readiness();
      res.json({ status: 'ready' });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      res.status(503).json(errorBody('NOT_READY', 'A dependency is unreachable'));
    }
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('content-type', metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  });

  options.routes(app);

  app.use((req, _res, next) => {
    next(new NotFoundError(`No route for ${req.method} ${req.path}`, 'ROUTE_NOT_FOUND'));
  });
  app.use(errorHandler(logger));
  return app;
}
