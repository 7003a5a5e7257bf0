import http from 'node:http';
import type { Logger } from '@strangler/platform';
import type { FlagStatus } from '../flags/flag-evaluator.js';
import { sendJsonError } from './respond.js';

/** What /ready reports: flag state of this process, or of every worker when the edge runs several. */
export type Readiness = { ready: true; body: Record<string, unknown> } | { ready: false; code: string; message: string };

export interface AdminSources {
  readiness(): Readiness | Promise<Readiness>;
  /** Prometheus exposition text and its content type. */
  metrics(): Promise<{ contentType: string; text: string }>;
  logger: Logger;
}

/** /ready of one process: draining first, then whether flags are loaded. */
export function flagReadiness(status: FlagStatus, draining: boolean): Readiness {
  if (draining) return { ready: false, code: 'DRAINING', message: 'Shutting down' };
  if (!status.ready) return { ready: false, code: 'FLAGS_NOT_LOADED', message: 'Flags are still loading' };
  return { ready: true, body: { status: 'ready', flags: status.source, ...(status.note ? { note: status.note } : {}) } };
}

/** The admin listener (/health, /ready, /metrics), kept off the proxy's port and out of its hot path. */
export function createAdminServer(sources: AdminSources): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJsonError(res, 405, 'METHOD_NOT_ALLOWED', 'Admin endpoints are read-only');
      return;
    }
    const json = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
      res.end(text);
    };
    const failed = (what: string) => (error: unknown) => {
      sources.logger.error({ err: error }, `${what} failed`);
      if (!res.headersSent) sendJsonError(res, 500, 'INTERNAL_ERROR', `${what} failed`);
    };
    switch (path) {
      case '/health':
        json(200, { status: 'ok' });
        return;
      case '/ready':
        Promise.resolve()
          .then(() => sources.readiness())
          .then((readiness) => {
            if (readiness.ready) json(200, readiness.body);
            else sendJsonError(res, 503, readiness.code, readiness.message);
          }, failed('readiness check'));
        return;
      case '/metrics':
        sources.metrics().then(({ contentType, text }) => {
          res.writeHead(200, { 'content-type': contentType });
          res.end(text);
        }, failed('metrics collection'));
        return;
      default:
        sendJsonError(res, 404, 'ROUTE_NOT_FOUND', `No admin route ${path}`);
    }
  });
}
