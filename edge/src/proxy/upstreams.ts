import http from 'node:http';
import https from 'node:https';
import type { Url } from 'node:url';

/** One backend the edge may contact: a configured URL, pre-parsed once, with its own keep-alive pool. */
export interface Upstream {
  url: string;
  /** In the shape http-proxy would otherwise re-parse from the URL string on every request. */
  target: Partial<Url>;
  agent: http.Agent;
}

export interface UpstreamPoolOptions {
  maxSockets: number;
  /** Idle pooled sockets are closed after this; keep it below the upstream's keep-alive timeout. */
  idleSocketMs: number;
}

function toTarget(url: URL): Partial<Url> {
  const https = url.protocol === 'https:';
  const port = url.port || (https ? '443' : '80');
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  return { protocol: url.protocol, hostname, host: `${url.hostname}:${port}`, port, path };
}

/**
 * Upstreams by URL: a URL shared by several slices (the monolith) gets one pool. Only URLs from the route table
 * are ever added, so no request can make the edge contact anything else.
 */
export function createUpstreamPool(options: UpstreamPoolOptions) {
  const upstreams = new Map<string, Upstream>();
  return {
    get(url: string): Upstream {
      let upstream = upstreams.get(url);
      if (!upstream) {
        const parsed = new URL(url);
        const agentOptions = {
          keepAlive: true,
          maxSockets: options.maxSockets,
          maxFreeSockets: Math.min(options.maxSockets, 64),
          timeout: options.idleSocketMs,
          scheduling: 'lifo' as const,
        };
        const agent = parsed.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
        upstream = { url, target: toTarget(parsed), agent };
        upstreams.set(url, upstream);
      }
      return upstream;
    },
    destroy(): void {
      for (const upstream of upstreams.values()) upstream.agent.destroy();
    },
  };
}

export type UpstreamPool = ReturnType<typeof createUpstreamPool>;
