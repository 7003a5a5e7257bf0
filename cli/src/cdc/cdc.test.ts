import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectorStatus } from '@strangler/cdc/connect';
import { CliError, EXIT_USAGE } from '../cli-error.js';
import type { BackendHealth, CliDeps } from '../cli-deps.js';
import { loadCliConfig } from '../config.js';
import { createCdcDeps, runCli, type CliIo } from '../program.js';
import { loadSlices } from '@strangler/platform/slices';
import { sliceSpecs } from '../slices.js';

/** The repository's slices on their default ports, users first (the order these tests read their output in). */
const DEFAULT_SLICES = ['users', 'catalog'].map((name) => sliceSpecs(loadSlices()).find((slice) => slice.name === name)!);
import { FAKE_PROJECTOR_URLS, FakeConnect, FakeKafka, fakeCdcDeps, runningConnector, type FakeCdcOptions } from '../testing/fake-cdc.js';
import { FakeFlagAdmin } from '../testing/fake-flag-admin.js';

const USERS_METRICS = [
  '# HELP cdc_event_lag_seconds Time from the change in the monolith to its apply in the target',
  '# TYPE cdc_event_lag_seconds histogram',
  'cdc_event_lag_seconds_bucket{le="0.1",projector="users",table="users"} 10',
  'cdc_event_lag_seconds_bucket{le="0.5",projector="users",table="users"} 30',
  'cdc_event_lag_seconds_bucket{le="1",projector="users",table="users"} 40',
  'cdc_event_lag_seconds_bucket{le="+Inf",projector="users",table="users"} 40',
  'cdc_event_lag_seconds_sum{projector="users",table="users"} 12',
  'cdc_event_lag_seconds_count{projector="users",table="users"} 40',
  'cdc_records_applied_total{projector="users",table="users",op="c",outcome="inserted"} 30',
  'cdc_records_applied_total{projector="users",table="users",op="u",outcome="updated"} 12',
  '',
].join('\n');

/** users: up, 20 behind on its one partition; catalog: down, one products partition never committed, no inventory topic yet, 3 dead letters. */
function pipeline() {
  const kafka = new FakeKafka(
    {
      'legacy.legacy.users': [{ partition: 0, low: 0, high: 120 }],
      'legacy.legacy.products': [
        { partition: 0, low: 0, high: 50 },
        { partition: 1, low: 10, high: 30 },
      ],
      'legacy.dead-letter.catalog': [{ partition: 0, low: 2, high: 5 }],
      'some.other.topic': [{ partition: 0, low: 0, high: 999 }],
    },
    {
      'strangler-projector-users': { 'legacy.legacy.users': { 0: 100 } },
      'strangler-projector-catalog': { 'legacy.legacy.products': { 0: 50 } },
    },
  );
  const connect = new FakeConnect();
  connect.statuses.set('legacy', runningConnector('legacy'));
  return { kafka, connect, metrics: { [FAKE_PROJECTOR_URLS.users]: USERS_METRICS } };
}

function harness(options: FakeCdcOptions & { health?: Record<string, BackendHealth['status']> } = {}) {
  const cdc = fakeCdcDeps(options);
  let out = '';
  let err = '';
  const io: CliIo = { out: { write: (text: string) => (out += text) }, err: { write: (text: string) => (err += text) } };
  const health = options.health ?? { [FAKE_PROJECTOR_URLS.users]: 'up', [FAKE_PROJECTOR_URLS.catalog]: 'down' };
  const deps = (cliIo: CliIo): CliDeps => ({
    slices: DEFAULT_SLICES,
    flags: [],
    admin: () => new FakeFlagAdmin(),
    gate: { check: (slice) => ({ slice, verified: false, result: 'none', detail: 'none' }) },
    probe: async (url) => ((health[url] ?? 'down') === 'up' ? { url, status: 'up' } : { url, status: 'down', detail: 'ECONNREFUSED' }),
    supervision: () => ({ found: false, file: '/nonexistent/supervision.json', problem: 'no supervision.json in /nonexistent' }),
    warn: (message) => cliIo.err.write(`${message}\n`),
    cdc: () => cdc,
  });
  return {
    cdc,
    run: (...argv: string[]) => runCli(argv, io, { deps }),
    out: () => out,
    err: () => err,
    json: () => JSON.parse(out) as Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  };
}

const FAILED_TRACE = "org.apache.kafka.connect.errors.ConnectException: Access denied for user 'cdc'@'127.0.0.1'\n\tat io.debezium.connector.binlog.BinlogConnectorTask.start(BinlogConnectorTask.java:123)\n\tat …";

function failedTask(name = 'legacy'): ConnectorStatus {
  const status = runningConnector(name);
  status.tasks = [{ id: 0, state: 'FAILED', worker_id: '127.0.0.1:8083', trace: FAILED_TRACE }];
  return status;
}

describe('strangler cdc status', () => {
  it('shows the connector, each projector (process, offset lag, event lag p50/p99, applied, dead letters) and every partition', async () => {
    const cli = harness(pipeline());
    expect(await cli.run('cdc', 'status')).toBe(0);
    const lines = cli.out().split('\n');
    expect(lines[0]).toBe('Connector legacy (Kafka Connect http://connect.test): RUNNING');
    expect(cli.out()).toMatch(/^connector\s+RUNNING\s+127\.0\.0\.1:8083$/m);
    expect(cli.out()).toMatch(/^task 0\s+RUNNING\s+127\.0\.0\.1:8083$/m);
    expect(cli.out()).toMatch(/^projector\s+process\s+offset lag\s+event lag p50\s+event lag p99\s+applied\s+dead letters$/m);
    // p50 0.3 s and p99 0.98 s of the histogram above (see prometheus.test.ts for the arithmetic).
    expect(cli.out()).toMatch(/^users\s+up\s+20\s+300 ms\s+980 ms\s+42\s+0$/m);
    // products p0 caught up, p1 never committed: 30 − 10 retained records; inventory does not exist yet.
    expect(cli.out()).toMatch(/^catalog\s+DOWN \(ECONNREFUSED\)\s+20\s+-\s+-\s+-\s+3$/m);
    expect(cli.out()).toMatch(/^users\s+strangler-projector-users\s+legacy\.legacy\.users\s+0\s+100\s+120\s+20$/m);
    expect(cli.out()).toMatch(/^catalog\s+strangler-projector-catalog\s+legacy\.legacy\.products\s+0\s+50\s+50\s+0$/m);
    expect(cli.out()).toMatch(/^catalog\s+strangler-projector-catalog\s+legacy\.legacy\.products\s+1\s+none\s+30\s+20$/m);
    expect(cli.out()).toMatch(/^catalog\s+strangler-projector-catalog\s+legacy\.legacy\.inventory\s+-\s+-\s+-\s+topic does not exist yet$/m);
    expect(cli.out()).toContain('Kafka: kafka.test:9092');
    expect(cli.out()).toContain('catalog: 3 record(s) in legacy.dead-letter.catalog');
    expect(cli.err()).toBe('');
    expect(cli.cdc.fakeKafka.closed).toBe(1);
  });

  it('--json: exactly one document with the same numbers', async () => {
    const cli = harness(pipeline());
    expect(await cli.run('cdc', 'status', '--json')).toBe(0);
    const body = cli.json();
    expect(body.ok).toBe(true);
    expect(body.connector).toEqual({
      name: 'legacy',
      connectUrl: 'http://connect.test',
      registered: true,
      state: 'RUNNING',
      workerId: '127.0.0.1:8083',
      tasks: [{ id: 0, state: 'RUNNING', workerId: '127.0.0.1:8083' }],
    });
    expect(body.kafka).toEqual({ brokers: ['kafka.test:9092'], reachable: true });
    const [users, catalog] = body.projectors;
    expect(users).toMatchObject({
      name: 'users',
      url: FAKE_PROJECTOR_URLS.users,
      process: { status: 'up' },
      group: 'strangler-projector-users',
      topics: ['legacy.legacy.users'],
      missingTopics: [],
      partitions: [{ topic: 'legacy.legacy.users', partition: 0, committed: 100, end: 120, lag: 20 }],
      offsetLag: 20,
      applied: 42,
      deadLetterTopic: 'legacy.dead-letter.users',
      deadLetters: 0,
      errors: [],
    });
    expect(users.eventLag.observations).toBe(40);
    expect(users.eventLag.p50).toBeCloseTo(0.3, 12);
    expect(users.eventLag.p99).toBeCloseTo(0.98, 12);
    expect(catalog).toMatchObject({
      name: 'catalog',
      process: { status: 'down', detail: 'ECONNREFUSED' },
      missingTopics: ['legacy.legacy.inventory'],
      offsetLag: 20,
      eventLag: null,
      applied: null,
      deadLetters: 3,
    });
    expect(catalog.partitions.map((p: { partition: number; committed: number | null; lag: number }) => [p.partition, p.committed, p.lag])).toEqual([
      [0, 50, 0],
      [1, null, 20],
    ]);
  });

  it('exit 1 when a task FAILED, with the first line of its trace, the whole report still shown', async () => {
    const { kafka, metrics } = pipeline();
    const connect = new FakeConnect();
    connect.statuses.set('legacy', failedTask());
    const cli = harness({ kafka, connect, metrics });
    expect(await cli.run('cdc', 'status')).toBe(1);
    expect(cli.out()).toMatch(/^task 0\s+FAILED\s+127\.0\.0\.1:8083\s+org\.apache\.kafka\.connect\.errors\.ConnectException: Access denied for user 'cdc'@'127\.0\.0\.1'$/m);
    expect(cli.out()).not.toContain('BinlogConnectorTask');
    expect(cli.out()).toMatch(/^users\s+up\s+20\s/m);
    expect(cli.err()).toMatch(/^strangler: task 0 of connector legacy is FAILED: org\.apache\.kafka\.connect\.errors\.ConnectException: Access denied/);

    const json = harness({ kafka, connect, metrics });
    expect(await json.run('cdc', 'status', '--json')).toBe(1);
    expect(json.json()).toMatchObject({
      ok: false,
      error: { code: 'CONNECTOR_FAILED' },
      connector: { state: 'RUNNING', tasks: [{ id: 0, state: 'FAILED', trace: "org.apache.kafka.connect.errors.ConnectException: Access denied for user 'cdc'@'127.0.0.1'" }] },
      projectors: [{ name: 'users', offsetLag: 20 }, { name: 'catalog' }],
    });
  });

  it('exit 1 when the connector itself FAILED', async () => {
    const { kafka } = pipeline();
    const connect = new FakeConnect();
    connect.statuses.set('legacy', { ...runningConnector('legacy'), connector: { state: 'FAILED', worker_id: 'w1', trace: 'java.lang.IllegalStateException: boom\n\tat x' }, tasks: [] });
    const cli = harness({ kafka, connect });
    expect(await cli.run('cdc', 'status', '--json')).toBe(1);
    expect(cli.json()).toMatchObject({ ok: false, error: { code: 'CONNECTOR_FAILED' }, connector: { state: 'FAILED', trace: 'java.lang.IllegalStateException: boom', tasks: [] } });
    expect(cli.json().error.message).toContain('connector legacy is FAILED: java.lang.IllegalStateException: boom');
  });

  it('a connector that does not exist is "not registered" (exit 0); --connector picks another one', async () => {
    const cli = harness(pipeline());
    expect(await cli.run('cdc', 'status', '--connector', 'nope')).toBe(0);
    expect(cli.out().split('\n')[0]).toBe("Connector nope: not registered in Kafka Connect http://connect.test; `strangler cdc register` registers the stack's connector.");
    expect(cli.out()).toMatch(/^users\s+up\s+20\s/m);

    const json = harness(pipeline());
    expect(await json.run('cdc', 'status', '--connector', 'nope', '--json')).toBe(0);
    expect(json.json()).toMatchObject({ ok: true, connector: { name: 'nope', registered: false, state: null, tasks: [] } });
  });

  it('Connect down, the rest up: the report with the connector UNKNOWN, exit 1 CONNECT_UNREACHABLE and the hint', async () => {
    const { kafka, connect, metrics } = pipeline();
    connect.unreachable = true;
    const cli = harness({ kafka, connect, metrics });
    expect(await cli.run('cdc', 'status')).toBe(1);
    expect(cli.out().split('\n')[0]).toBe('Connector legacy: UNKNOWN: Kafka Connect is not reachable at http://connect.test (ECONNREFUSED); is the stack running? (npm start)');
    expect(cli.out()).toMatch(/^users\s+up\s+20\s/m);
    expect(cli.err()).toBe('strangler: Kafka Connect is not reachable at http://connect.test (ECONNREFUSED); is the stack running? (npm start)\n');

    const json = harness({ kafka, connect, metrics });
    expect(await json.run('cdc', 'status', '--json')).toBe(1);
    expect(json.json()).toMatchObject({ ok: false, error: { code: 'CONNECT_UNREACHABLE' }, connector: { registered: null, error: { code: 'CONNECT_UNREACHABLE' } }, kafka: { reachable: true } });
  });

  it('Kafka down: offsets and dead letters unknown, shown, not thrown (exit 0)', async () => {
    const { kafka, connect, metrics } = pipeline();
    kafka.unreachable = true;
    const cli = harness({ kafka, connect, metrics });
    expect(await cli.run('cdc', 'status')).toBe(0);
    expect(cli.out()).toMatch(/^users\s+up\s+\?\s+300 ms\s+980 ms\s+42\s+\?$/m);
    expect(cli.out()).toContain('Kafka: UNREACHABLE: Kafka is not reachable at kafka.test:9092 (Connection error: connect ECONNREFUSED 127.0.0.1:9092)');

    const json = harness({ kafka, connect, metrics });
    expect(await json.run('cdc', 'status', '--json')).toBe(0);
    expect(json.json()).toMatchObject({ ok: true, kafka: { reachable: false, error: { code: 'KAFKA_UNREACHABLE' } }, projectors: [{ offsetLag: null, deadLetters: null, partitions: [] }, { offsetLag: null }] });
  });

  it('both projectors down: shown as DOWN without metrics (exit 0)', async () => {
    const { kafka, connect } = pipeline();
    const cli = harness({ kafka, connect, health: {} });
    expect(await cli.run('cdc', 'status', '--json')).toBe(0);
    expect(cli.json().projectors.map((p: { process: { status: string }; eventLag: unknown; offsetLag: number }) => [p.process.status, p.eventLag, p.offsetLag])).toEqual([
      ['down', null, 20],
      ['down', null, 20],
    ]);
  });

  it('a projector that answers /ready but serves no event-lag observations yet shows "-"', async () => {
    const { kafka, connect } = pipeline();
    const cli = harness({ kafka, connect, metrics: { [FAKE_PROJECTOR_URLS.users]: '# TYPE cdc_event_lag_seconds histogram\n' } });
    expect(await cli.run('cdc', 'status')).toBe(0);
    expect(cli.out()).toMatch(/^users\s+up\s+20\s+-\s+-\s+0\s+0$/m);
  });

  it('nothing answers at all: exit 1 CONNECT_UNREACHABLE naming all of it, no report', async () => {
    const connect = new FakeConnect();
    connect.unreachable = true;
    const kafka = new FakeKafka();
    kafka.unreachable = true;
    const cli = harness({ connect, kafka, health: {} });
    expect(await cli.run('cdc', 'status')).toBe(1);
    expect(cli.out()).toBe('');
    expect(cli.err()).toBe(
      'strangler: nothing of the CDC pipeline answers: Kafka Connect is not reachable at http://connect.test (ECONNREFUSED), nor Kafka at kafka.test:9092, ' +
        'nor the projectors (users http://users-projector.test, catalog http://catalog-projector.test); is the stack running? (npm start)\n',
    );
    const json = harness({ connect, kafka, health: {} });
    expect(await json.run('cdc', 'status', '--json')).toBe(1);
    const body = json.json();
    expect(body).toMatchObject({ ok: false, error: { code: 'CONNECT_UNREACHABLE', connectUrl: 'http://connect.test', kafkaBrokers: ['kafka.test:9092'] } });
    expect(body.projectors).toBeUndefined();
    expect(kafka.closed).toBe(2);
  });
});

describe('strangler cdc register', () => {
  it("PUTs cdc/connectors/legacy.json with the stack's settings, prints created and the status", async () => {
    const cli = harness();
    expect(await cli.run('cdc', 'register')).toBe(0);
    expect(cli.cdc.connect.puts).toHaveLength(1);
    const [put] = cli.cdc.connect.puts;
    expect(put?.name).toBe('legacy');
    expect(put?.config).toMatchObject({
      'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector',
      'database.hostname': '127.0.0.1',
      'database.port': '3307',
      'database.user': 'cdc',
      'database.password': '${file:/stack/kafka-connect/secrets/mariadb-cdc.properties:password}',
      'schema.history.internal.kafka.bootstrap.servers': 'kafka.test:9092',
      'topic.prefix': 'legacy',
      'table.include.list': 'legacy.products,legacy.inventory,legacy.users',
    });
    expect(cli.out()).toContain('Connector legacy: created from cdc/connectors/legacy.json.');
    expect(cli.out()).toMatch(/^task 0\s+RUNNING\s+127\.0\.0\.1:8083$/m);
    expect(cli.cdc.sleeps).toEqual([]);
  });

  it('again: updated (idempotent), waiting until the connector and its tasks run; --json', async () => {
    const connect = new FakeConnect();
    connect.statuses.set('legacy', runningConnector('legacy'));
    const starting = runningConnector('legacy', 0);
    const unassigned: ConnectorStatus = { ...runningConnector('legacy'), tasks: [{ id: 0, state: 'UNASSIGNED', worker_id: 'w' }] };
    connect.upcoming = [undefined, starting, unassigned, runningConnector('legacy')];
    const cli = harness({ connect });
    expect(await cli.run('cdc', 'register', '--json')).toBe(0);
    expect(cli.json()).toMatchObject({ ok: true, created: false, settling: false, connector: { name: 'legacy', state: 'RUNNING', tasks: [{ id: 0, state: 'RUNNING' }] } });
    expect(connect.statusReads).toBe(4);
    expect(cli.cdc.sleeps).toEqual([500, 500, 500]);
  });

  it('tells when it is not RUNNING within the wait (exit 0)', async () => {
    const connect = new FakeConnect();
    connect.upcoming = [{ ...runningConnector('legacy'), tasks: [{ id: 0, state: 'UNASSIGNED', worker_id: 'w' }] }];
    const cli = harness({ connect });
    expect(await cli.run('cdc', 'register')).toBe(0);
    expect(cli.out()).toContain('Not RUNNING yet; `strangler cdc status` shows how it goes on.');
    // STRANGLER_CDC_WAIT_MS 2000 in the fake: a read every 500 ms, first and last included.
    expect(connect.statusReads).toBe(5);
    expect(cli.cdc.sleeps).toHaveLength(4);
  });

  it('exit 1 CONNECTOR_FAILED when a task fails after registering', async () => {
    const connect = new FakeConnect();
    connect.upcoming = [failedTask()];
    const cli = harness({ connect });
    expect(await cli.run('cdc', 'register', '--json')).toBe(1);
    expect(cli.json()).toMatchObject({ ok: false, error: { code: 'CONNECTOR_FAILED' }, created: true, connector: { tasks: [{ state: 'FAILED' }] } });
  });

  it('Connect down: exit 1 CONNECT_UNREACHABLE with the hint', async () => {
    const connect = new FakeConnect();
    connect.unreachable = true;
    const cli = harness({ connect });
    expect(await cli.run('cdc', 'register')).toBe(1);
    expect(cli.err()).toBe('strangler: Kafka Connect is not reachable at http://connect.test (ECONNREFUSED); is the stack running? (npm start)\n');
    const json = harness({ connect });
    expect(await json.run('cdc', 'register', '--json')).toBe(1);
    expect(json.json()).toEqual({
      ok: false,
      error: { code: 'CONNECT_UNREACHABLE', connectUrl: 'http://connect.test', message: 'Kafka Connect is not reachable at http://connect.test (ECONNREFUSED); is the stack running? (npm start)' },
    });
  });

  it('without the password file the stack writes: the CliError, and nothing is sent', async () => {
    const cli = harness({ settingsError: new CliError(EXIT_USAGE, 'CDC_SECRET_MISSING', 'no password file') });
    expect(await cli.run('cdc', 'register', '--json')).toBe(2);
    expect(cli.json()).toMatchObject({ ok: false, error: { code: 'CDC_SECRET_MISSING' } });
    expect(cli.cdc.connect.puts).toEqual([]);
  });
});

describe('createCdcDeps (the real settings)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strangler-cli-cdc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names the password file the launcher writes, and tells to start the stack once when it is missing (exit 2)", () => {
    const missing = createCdcDeps(loadCliConfig({ STACK_DIR: dir }));
    let error: unknown;
    try {
      missing.connectorSettings();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({ exitCode: 2, code: 'CDC_SECRET_MISSING' });
    expect((error as Error).message).toBe(
      `no password file for Debezium's MariaDB account at ${dir}/kafka-connect/secrets/mariadb-cdc.properties: start the stack once (\`npm start\`), which creates the cdc account and writes it (or set STACK_DIR to the stack's folder)`,
    );

    mkdirSync(join(dir, 'kafka-connect', 'secrets'), { recursive: true });
    writeFileSync(join(dir, 'kafka-connect', 'secrets', 'mariadb-cdc.properties'), 'password=not-read\n');
    const present = createCdcDeps(loadCliConfig({ STACK_DIR: dir, MARIADB_PORT: '4407', KAFKA_BROKERS: 'a:1, b:2' }));
    expect(present.connectorSettings()).toEqual({
      mariadb: { host: '127.0.0.1', port: 4407, user: 'cdc' },
      passwordReference: `\${file:${dir}/kafka-connect/secrets/mariadb-cdc.properties:password}`,
      kafkaBootstrap: 'a:1,b:2',
      // The legacy tables of the slice manifests (SLICES_DIR).
      tables: ['products', 'inventory', 'users'],
    });
  });

  it('derives the names from CDC_TOPIC_PREFIX, CDC_SOURCE_DATABASE and CDC_GROUP_PREFIX', () => {
    const deps = createCdcDeps(loadCliConfig({ CDC_TOPIC_PREFIX: 'tabc', CDC_SOURCE_DATABASE: 't_db', CDC_GROUP_PREFIX: 'g', USERS_PROJECTOR_URL: 'http://h:1/' }));
    expect(deps).toMatchObject({ topicPrefix: 'tabc', sourceDatabase: 't_db', groupPrefix: 'g', projectorUrls: { users: 'http://h:1', catalog: 'http://127.0.0.1:3102' } });
  });
});
