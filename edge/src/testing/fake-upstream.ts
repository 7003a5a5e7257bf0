import http, { type IncomingHttpHeaders } from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
}

/** How the fake answers: echo (200 with what it received, now or later), a fixed status, never, or by dropping the connection. */
export type UpstreamBehaviour =
  | { kind: 'echo' }
  | { kind: 'delay'; ms: number }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'drop' }
  /** 200 with a Content-Length, half the body, then the connection drops. */
  | { kind: 'truncate' };

export interface FakeUpstream {
  name: string;
  url: string;
  received: ReceivedRequest[];
  behave(behaviour: UpstreamBehaviour): void;
  close(): Promise<void>;
}

/**
 * A real HTTP server on an ephemeral port standing in for legacy or a new service: it records every request and,
 * by default, answers 200 with `{backend, method, url, headers}` so a test sees who served it and what arrived.
 */
export async function startFakeUpstream(name: string): Promise<FakeUpstream> {
  const received: ReceivedRequest[] = [];
  let behaviour: UpstreamBehaviour = { kind: 'echo' };
  const server = http.createServer((req, res) => {
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => {
      bodyBytes += chunk.length;
    });
    req.on('end', () => {
      const record = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes };
      received.push(record);
      const echo = () => {
        const body = JSON.stringify({ backend: name, ...record });
        // Headers the edge must not pass on or must overwrite.
        res.writeHead(200, {
          'content-type': 'application/json',
          'x-served-by': name,
          'x-strangler-backend': 'spoofed-by-upstream',
          'keep-alive': 'timeout=5',
          // A header the upstream marks hop-by-hop by naming it in Connection.
          connection: 'keep-alive, x-upstream-hop',
          'x-upstream-hop': 'for the edge only',
          'set-cookie': `${name}-cookie=1; Path=/`,
        });
        res.end(body);
      };
      switch (behaviour.kind) {
        case 'delay':
          setTimeout(echo, behaviour.ms);
          return;
        case 'hang':
          return;
        case 'drop':
          req.socket.destroy();
          return;
        case 'truncate':
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
          res.write('{"backend":"' + name + '"', () => setTimeout(() => req.socket.destroy(), 20));
          return;
        case 'status': {
          const body = JSON.stringify({ error: { code: 'FAKE', message: `${name} says ${behaviour.status}` }, backend: name });
          res.writeHead(behaviour.status, { 'content-type': 'application/json', 'x-served-by': name });
          res.end(body);
          return;
        }
        default:
          echo();
      }
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    received,
    behave(next) {
      behaviour = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A URL on which nothing listens: connections are refused. */
export async function refusedUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
