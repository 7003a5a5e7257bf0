import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer } from 'node:net';
import request from 'supertest';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readTopic, registerTestConnector, type TestConnector } from '@strangler/cdc/testing/test-cdc';
import { createTestApp, type TestApp } from '@strangler/legacy/testing/test-app';
import { runStrangler } from './testing/run-strangler.js';
import { runCli, type CliIo } from './program.js';

/**
 * `strangler cdc status` against the test run's real Kafka and Kafka Connect: a connector of this file's own
 * (registerTestConnector: legacy.json on a fresh legacy database, under its own topic prefix), consumer groups under
 * a prefix of its own, a stand-in for the users projector's /ready and /metrics, and no catalog projector at all.
 */
let legacy: TestApp;
let connector: TestConnector;
let projector: Server;
let projectorUrl: string;
let closed: string;
let closedPort: number;
const groupPrefix = `cli-e2e-${randomBytes(4).toString('hex')}`;

const PROJECTOR_METRICS = [
  '# TYPE cdc_event_lag_seconds histogram',
  'cdc_event_lag_seconds_bucket{le="1",projector="users",table="users"} 2',
  'cdc_event_lag_seconds_bucket{le="2",projector="users",table="users"} 4',
  'cdc_event_lag_seconds_bucket{le="+Inf",projector="users",table="users"} 4',
  'cdc_records_applied_total{projector="users",table="users",op="r",outcome="inserted"} 1',
  '',
].join('\n');

/** A loopback port nothing listens on. */
function freeClosedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function capture(): CliIo & { out: { write(text: string): boolean; text: string }; err: { write(text: string): boolean; text: string } } {
  const out = { text: '', write: (text: string) => ((out.text += text), true) };
  const err = { text: '', write: (text: string) => ((err.text += text), true) };
  return { out, err };
}

function env(overrides: Record<string, string> = {}): Record<string, string> {
  const kafka = inject('kafka');
  return {
    CONNECT_URL: kafka.connectUrl,
    KAFKA_BROKERS: kafka.brokers.join(','),
    CDC_TOPIC_PREFIX: connector.topicPrefix,
    CDC_SOURCE_DATABASE: connector.database,
    CDC_GROUP_PREFIX: groupPrefix,
    USERS_PROJECTOR_URL: projectorUrl,
    CATALOG_PROJECTOR_URL: closed,
    STRANGLER_HEALTH_TIMEOUT_MS: '1000',
    ...overrides,
  };
}

async function createUser(email: string): Promise<void> {
  await request(legacy.app).post('/api/users').send({ email, fullName: 'Ada Lovelace', password: 'correct horse' }).expect(201);
}

beforeAll(async () => {
  closedPort = await freeClosedPort();
  closed = `http://127.0.0.1:${closedPort}`;
  projector = createHttpServer((req, res) => {
    if (req.url === '/ready') res.writeHead(200).end('ok');
    else if (req.url === '/metrics') res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(PROJECTOR_METRICS);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => projector.listen(0, '127.0.0.1', resolve));
  projectorUrl = `http://127.0.0.1:${(projector.address() as { port: number }).port}`;

  legacy = await createTestApp('cli_cdc');
  for (const n of [1, 2, 3]) await createUser(`cdc-${n}@example.com`);
  await request(legacy.app)
    .post('/api/products')
    .send({ sku: 'CLI-1', name: 'Lamp', description: 'warm', price: { amountMinor: 1999, currency: 'EUR' }, active: true })
    .expect(201);
  connector = await registerTestConnector(legacy.database.name);
  // The snapshot: 3 users, 1 product and its inventory row.
  const users = await readTopic(connector.topic('users'), (all) => all.length >= 3);
  expect(users.map((record) => record.partition)).toEqual([0, 0, 0]);
  await readTopic(connector.topic('products'), (all) => all.length >= 1);
  await readTopic(connector.topic('inventory'), (all) => all.length >= 1);

  const kafka = new Kafka({ brokers: inject('kafka').brokers, clientId: 'cli-e2e', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    // The users projector's group has read the first of the three snapshot records: 2 behind.
    await admin.setOffsets({ groupId: `${groupPrefix}-users`, topic: connector.topic('users'), partitions: [{ partition: 0, offset: '1' }] });
    const deadLetters = `${connector.topicPrefix}.dead-letter.users`;
    await admin.createTopics({ topics: [{ topic: deadLetters, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await producer.send({ topic: deadLetters, messages: [{ value: 'poison 1' }, { value: 'poison 2' }] });
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}, 180_000);

afterAll(async () => {
  await connector?.remove();
  await legacy?.drop();
  await new Promise((resolve) => projector?.close(resolve));
});

interface PartitionJson {
  topic: string;
  partition: number;
  committed: number | null;
  end: number;
  lag: number;
}

describe('strangler cdc status (real Kafka and Kafka Connect)', () => {
  it('reports the connector RUNNING and, per projector, offset lag against the committed offsets, dead letters and event lag', async () => {
    const io = capture();
    const code = await runCli(['cdc', 'status', '--json', '--connector', connector.name], io, { env: env() });
    expect(io.err.text).toBe('');
    expect(code).toBe(0);
    const body = JSON.parse(io.out.text) as {
      ok: boolean;
      connector: { name: string; registered: boolean; state: string; tasks: Array<{ id: number; state: string }> };
      kafka: { reachable: boolean };
      projectors: Array<{
        name: string;
        group: string;
        process: { status: string };
        partitions: PartitionJson[];
        missingTopics: string[];
        offsetLag: number;
        deadLetters: number;
        eventLag: { p50: number; p99: number; observations: number } | null;
        applied: number | null;
      }>;
    };
    expect(body.ok).toBe(true);
    expect(body.connector).toMatchObject({ name: connector.name, registered: true, state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }] });
    expect(body.kafka.reachable).toBe(true);

    const [catalog, users] = body.projectors;
    expect(users).toMatchObject({ name: 'users', group: `${groupPrefix}-users`, process: { status: 'up' }, offsetLag: 2, deadLetters: 2, applied: 1, missingTopics: [] });
    expect(users?.partitions).toEqual([{ topic: connector.topic('users'), partition: 0, committed: 1, end: 3, lag: 2 }]);
    // 4 observations, 2 ≤ 1 s, 2 in (1, 2]: p50 = 1 s (rank 2 fills the first bucket), p99 = 1 + 1.96 / 2 = 1.98 s.
    expect(users?.eventLag?.observations).toBe(4);
    expect(users?.eventLag?.p50).toBeCloseTo(1, 9);
    expect(users?.eventLag?.p99).toBeCloseTo(1.98, 9);

    // Nothing listens for catalog; its group never committed, so each retained record is lag; no dead-letter topic.
    expect(catalog).toMatchObject({ name: 'catalog', process: { status: 'down' }, eventLag: null, applied: null, offsetLag: 2, deadLetters: 0, missingTopics: [] });
    expect(catalog?.partitions.map((p) => [p.topic, p.committed, p.end, p.lag])).toEqual([
      [connector.topic('products'), null, 1, 1],
      [connector.topic('inventory'), null, 1, 1],
    ]);
  });

  it('the table, and an unknown connector as not registered', async () => {
    const io = capture();
    expect(await runCli(['cdc', 'status', '--connector', connector.name], io, { env: env() })).toBe(0);
    expect(io.out.text.split('\n')[0]).toBe(`Connector ${connector.name} (Kafka Connect ${inject('kafka').connectUrl}): RUNNING`);
    expect(io.out.text).toMatch(/^task 0\s+RUNNING\s/m);
    expect(io.out.text).toMatch(/^users\s+up\s+2\s+1\.0 s\s+2\.0 s\s+1\s+2$/m);
    expect(io.out.text).toMatch(/^catalog\s+DOWN \(ECONNREFUSED\)\s+2\s+-\s+-\s+-\s+0$/m);

    const unknown = capture();
    expect(await runCli(['cdc', 'status', '--connector', `missing-${groupPrefix}`, '--json'], unknown, { env: env() })).toBe(0);
    expect(JSON.parse(unknown.out.text)).toMatchObject({ ok: true, connector: { registered: false, state: null } });
  });

  it('nothing reachable: exit 1, CONNECT_UNREACHABLE with the hint', async () => {
    const io = capture();
    const code = await runCli(['cdc', 'status', '--json'], io, {
      env: env({ CONNECT_URL: closed, KAFKA_BROKERS: `127.0.0.1:${closedPort}`, USERS_PROJECTOR_URL: closed }),
    });
    expect(code).toBe(1);
    const body = JSON.parse(io.out.text) as { ok: boolean; error: { code: string; message: string } };
    expect(body).toMatchObject({ ok: false, error: { code: 'CONNECT_UNREACHABLE' } });
    expect(body.error.message).toContain(`Kafka Connect is not reachable at ${closed} (ECONNREFUSED)`);
    expect(body.error.message).toMatch(/is the stack running\? \(npm start\)$/);
  });

  it('the real command (a child process, as `npm run strangler` runs it) prints exactly one JSON document on stdout', async () => {
    const run = await runStrangler(['cdc', 'status', '--json', '--connector', connector.name], { PATH: process.env.PATH, HOME: process.env.HOME, ...env() });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, connector: { state: 'RUNNING' }, projectors: [{ offsetLag: 2 }, { offsetLag: 2 }] });
  });
});
