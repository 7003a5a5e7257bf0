import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectClient, ConnectRequestError, ConnectUnavailableError, waitUntilConnectorRunning, type ConnectorStatus } from './connect-client.js';

// A stand-in for Kafka Connect's REST API: remembers configs, answers status, refuses a bad config with 400.
const configs = new Map<string, Record<string, string>>();
let server: Server;
let client: ConnectClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const match = /^\/connectors\/([^/]+)(\/config|\/status)?$/.exec(req.url ?? '');
      const name = decodeURIComponent(match?.[1] ?? '');
      const send = (status: number, json?: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(json === undefined ? '' : JSON.stringify(json));
      };
      if (req.method === 'PUT' && match?.[2] === '/config') {
        const config = JSON.parse(body) as Record<string, string>;
        if (!config['connector.class']) return send(400, { error_code: 400, message: 'Missing required configuration "connector.class"' });
        const existed = configs.has(name);
        configs.set(name, config);
        return send(existed ? 200 : 201, { name, config });
      }
      if (!configs.has(name)) return send(404, { error_code: 404, message: `Connector ${name} not found` });
      if (match?.[2] === '/status') return send(200, { name, connector: { state: 'RUNNING', worker_id: 'w' }, tasks: [{ id: 0, state: 'RUNNING', worker_id: 'w' }] });
      if (req.method === 'DELETE') {
        configs.delete(name);
        return send(204);
      }
      return send(200, configs.get(name));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new ConnectClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('ConnectClient', () => {
  it('PUT is idempotent: created the first time, updated after', async () => {
    expect(await client.putConnectorConfig('legacy', { 'connector.class': 'X' })).toEqual({ created: true });
    expect(await client.putConnectorConfig('legacy', { 'connector.class': 'X', 'tasks.max': '1' })).toEqual({ created: false });
    expect(await client.connectorConfig('legacy')).toEqual({ 'connector.class': 'X', 'tasks.max': '1' });
    expect((await client.connectorStatus('legacy'))?.connector.state).toBe('RUNNING');
  });

  it('an unknown connector is undefined, not an error', async () => {
    expect(await client.connectorStatus('nope')).toBeUndefined();
    expect(await client.connectorConfig('nope')).toBeUndefined();
    expect(await client.deleteConnector('nope')).toBe(false);
  });

  it("a refused config carries Connect's message", async () => {
    const error = await client.putConnectorConfig('bad', {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectRequestError);
    expect((error as ConnectRequestError).status).toBe(400);
    expect((error as Error).message).toContain('Missing required configuration "connector.class"');
  });

  it('a worker that is down is ConnectUnavailableError naming the URL and the reason', async () => {
    // A port that was free a moment ago: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const down = new ConnectClient(`http://127.0.0.1:${port}`, 2_000);
    const error = await down.listConnectors().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnectUnavailableError);
    expect((error as Error).message).toBe(`Kafka Connect is not reachable at http://127.0.0.1:${port} (ECONNREFUSED); is the stack running? (npm start)`);
  });
});

describe('waitUntilConnectorRunning', () => {
  const status = (connector: string, tasks: string[]) =>
    ({ name: 'legacy', connector: { state: connector, worker_id: 'w' }, tasks: tasks.map((state, id) => ({ id, state, worker_id: 'w', trace: 'boom\n  at x' })) }) as ConnectorStatus;
  const sequence = (...statuses: Array<ConnectorStatus | undefined>) => ({ connectorStatus: async () => statuses.shift() });

  it('waits through "not yet created", "no task yet" and UNASSIGNED until connector and tasks run', async () => {
    const steps = sequence(undefined, status('RUNNING', []), status('RUNNING', ['UNASSIGNED']), status('RUNNING', ['RUNNING']));
    expect((await waitUntilConnectorRunning(steps, 'legacy', { intervalMs: 1 })).tasks[0]?.state).toBe('RUNNING');
  });

  it('throws at once on a FAILED task, with the first line of its trace', async () => {
    await expect(waitUntilConnectorRunning(sequence(status('RUNNING', ['FAILED'])), 'legacy', { intervalMs: 1 })).rejects.toThrow('connector "legacy" FAILED: boom');
  });

  it('gives up after the timeout', async () => {
    const never = { connectorStatus: async () => status('RUNNING', ['UNASSIGNED']) };
    await expect(waitUntilConnectorRunning(never, 'legacy', { timeoutMs: 20, intervalMs: 5 })).rejects.toThrow(/not RUNNING after 20 ms/);
  });
});
