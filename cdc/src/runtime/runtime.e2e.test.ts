import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '@strangler/platform';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { freePort } from '@strangler/testkit/ports';
import { readTopic } from '../testing/test-cdc.js';
// The service exports only its projection; its migrations are imported by path to build the target schema.
import { migrateToLatest } from '@strangler/users-service/migrations';
import { createUsersProjector } from '../projectors/users-projector.js';
import { debeziumEnvelope, legacyUser, T0 } from '../testing/debezium-records.js';
import type { DeadLetterBody } from './dead-letters.js';
import { POSITIONS_TABLE } from './positions.js';
import { changeTopic, createProjectorRuntime, type ProjectorRuntime } from './runtime.js';

// The runtime against the run's real Kafka: Debezium-shaped records produced with kafkajs to topics of a prefix no
// other test uses, applied to a fresh users_svc schema.

const PREFIX = `cdce2e${randomBytes(4).toString('hex')}`;
const TOPIC = changeTopic(PREFIX, 'legacy', 'users');
const DEAD_LETTERS = `${PREFIX}.dead-letter.users`;

let t: TestDatabase;
let producer: Producer;
const running = new Set<ProjectorRuntime>();

beforeAll(async () => {
  t = await createTestDatabase('cdc_runtime_e2e');
  await migrateToLatest(t.db);
  const kafka = new Kafka({ brokers: inject('kafka').brokers, clientId: 'cdc-runtime-e2e', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  producer = kafka.producer();
  await producer.connect();
}, 120_000);

afterAll(async () => {
  await Promise.all([...running].map((runtime) => runtime.stop()));
  await producer?.disconnect();
  await t?.drop();
});

function startRuntime(options: { group: string; maxRecordsPerTransaction?: number }): { runtime: ProjectorRuntime; started: Promise<void> } {
  const runtime = createProjectorRuntime({
    projector: createUsersProjector(),
    db: t.db,
    logger: createLogger({ name: 'cdc-e2e', level: 'silent' }),
    registry: new Registry(),
    kafkaBrokers: inject('kafka').brokers,
    kafkaClientId: 'cdc-e2e',
    topicPrefix: PREFIX,
    sourceDatabase: 'legacy',
    consumerGroup: options.group,
    deadLetterTopic: DEAD_LETTERS,
    maxRecordsPerTransaction: options.maxRecordsPerTransaction ?? 100,
    maxBytesPerPartition: 1_048_576,
    retryInitialMs: 50,
    retryMaxMs: 500,
    progressIntervalMs: 60_000,
  });
  running.add(runtime);
  return { runtime, started: runtime.start() };
}

async function stopRuntime(runtime: ProjectorRuntime): Promise<void> {
  await runtime.stop();
  running.delete(runtime);
}

async function produce(values: Array<{ key: object; value: object | string | null }>): Promise<void> {
  await producer.send({
    topic: TOPIC,
    messages: values.map(({ key, value }) => ({ key: JSON.stringify(key), value: value === null ? null : typeof value === 'string' ? value : JSON.stringify(value) })),
  });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const storedOffset = async (group: string) =>
  (await t.db(POSITIONS_TABLE).where({ consumer_group: group, topic: TOPIC, partition: 0 }).first())?.offset as number | undefined;

const waitForOffset = (group: string, offset: number, timeoutMs?: number) =>
  waitFor(`${group} to apply offset ${offset}`, async () => ((await storedOffset(group)) ?? -1) >= offset || undefined, timeoutMs);

async function highWatermark(): Promise<number> {
  const admin = new Kafka({ brokers: inject('kafka').brokers, clientId: 'cdc-e2e-admin', logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [partition] = await admin.fetchTopicOffsets(TOPIC);
    return Number(partition?.high ?? 0);
  } finally {
    await admin.disconnect();
  }
}

const account = async (id: number) =>
  (await t.db('accounts').select('id', 'display_name', 'status', 'version').where({ id }).first()) as
    | { id: number; display_name: string; status: string; version: number }
    | undefined;

describe('projector runtime on real Kafka', () => {
  it('applies snapshot, updates, deletes and tombstones; a poison record goes to the dead-letter topic and the pipeline goes on', async () => {
    await produce([
      { key: { id: 1 }, value: debeziumEnvelope('users', 'r', { after: legacyUser(1) }, { snapshot: 'first' }) },
      { key: { id: 2 }, value: debeziumEnvelope('users', 'r', { after: legacyUser(2) }, { snapshot: 'last' }) },
      { key: { id: 2 }, value: debeziumEnvelope('users', 'd', { before: legacyUser(2) }) },
      { key: { id: 2 }, value: null },
      { key: { id: 3 }, value: '{"op":"c","after":' },
      { key: { id: 1 }, value: debeziumEnvelope('users', 'u', { after: legacyUser(1, { full_name: 'After The Poison', updated_at: T0 + 1 }) }) },
    ]);
    const group = `${PREFIX}-first`;
    const { runtime, started } = startRuntime({ group });
    await started;
    await waitForOffset(group, (await highWatermark()) - 1);
    expect(runtime.isReady()).toBe(true);

    expect(await account(1)).toEqual({ id: 1, display_name: 'After The Poison', status: 'active', version: 2 });
    expect(await account(2)).toBeUndefined();
    expect(await account(3)).toBeUndefined();

    const [letter] = await readTopic(DEAD_LETTERS, (records) => records.length >= 1);
    const body = letter?.value as DeadLetterBody;
    expect(body.error.code).toBe('INVALID_JSON');
    expect(body.projector).toBe('users');
    expect(body.original).toMatchObject({ topic: TOPIC, partition: 0, key: '{"id":3}', value: '{"op":"c","after":' });
    expect(letter?.raw.headers?.['cdc-error-code']?.toString()).toBe('INVALID_JSON');

    // The gauge is set after the commit the offset poll above already sees: wait for it rather than read it once.
    const lag = await waitFor('the offset lag gauge to reach 0', async () => {
      const entry = (await runtime.metrics.offsetLag.get()).values.find((value) => value.labels.topic === TOPIC);
      return entry?.value === 0 ? entry : undefined;
    });
    expect(lag.value).toBe(0);
    await stopRuntime(runtime);
    expect(runtime.isReady()).toBe(false);
  }, 60_000);

  it('stopped mid-stream and replaced by a new runtime: every record applied once, in order (no double effect)', async () => {
    const group = `${PREFIX}-restart`;
    const ids = [101, 102, 103, 104, 105];
    const updatesPerUser = 60;
    // Interleaved creates and updates: each user's display name ends at its last update, its version at 1 + updates.
    const records: Array<{ key: object; value: object }> = ids.map((id) => ({ key: { id }, value: debeziumEnvelope('users', 'c', { after: legacyUser(id) }) }));
    for (let n = 1; n <= updatesPerUser; n++) {
      for (const id of ids) {
        records.push({ key: { id }, value: debeziumEnvelope('users', 'u', { after: legacyUser(id, { full_name: `v${n}`, updated_at: T0 + n }) }) });
      }
    }
    // Earlier tests' records come first: this group applies (and dead-letters) them too.
    const base = await highWatermark();
    await produce(records.slice(0, 150));

    const first = startRuntime({ group, maxRecordsPerTransaction: 7 });
    await first.started;
    await waitForOffset(group, base + 40);
    await stopRuntime(first.runtime);
    const stoppedAt = await storedOffset(group);

    await produce(records.slice(150));
    const end = base + records.length - 1;
    expect(await highWatermark()).toBe(end + 1);
    expect(stoppedAt).toBeLessThan(end);

    const second = startRuntime({ group, maxRecordsPerTransaction: 50 });
    await second.started;
    await waitForOffset(group, end);
    await stopRuntime(second.runtime);

    for (const id of ids) {
      expect(await account(id)).toEqual({ id, display_name: `v${updatesPerUser}`, status: 'active', version: 1 + updatesPerUser });
    }
  }, 90_000);

  it('the process (server.ts): ready once positioned, /metrics, SIGTERM exits 0 after committing', async () => {
    const group = `${PREFIX}-process`;
    const port = await freePort();
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', fileURLToPath(new URL('../server.ts', import.meta.url))], {
      env: {
        PATH: process.env.PATH,
        PROJECTOR: 'users',
        KAFKA_BROKERS: inject('kafka').brokers.join(','),
        TOPIC_PREFIX: PREFIX,
        CONSUMER_GROUP: group,
        DB_HOST: t.connection.host,
        DB_PORT: String(t.connection.port),
        DB_USER: t.connection.user,
        DB_PASSWORD: t.connection.password,
        DB_NAME: t.connection.database,
        PORT: String(port),
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitFor(
        'the process to be ready',
        async () => {
          if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output}`);
          const response = await fetch(`${url}/ready`).catch(() => undefined);
          return response?.status === 200 || undefined;
        },
        60_000,
      );
      await waitForOffset(group, (await highWatermark()) - 1);
      // The process sets its metrics after the commit the offset poll already sees: scrape until they caught up.
      const caughtUp = new RegExp(`cdc_consumer_offset_lag\\{topic="${TOPIC}",partition="0",service="cdc-users"\\} 0$`, 'm');
      const metrics = await waitFor('/metrics to show the partition caught up', async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return caughtUp.test(text) ? text : undefined;
      });
      expect(metrics).toMatch(caughtUp);
      expect(metrics).toContain('cdc_records_applied_total{projector="users",table="users",op="u",outcome="');
      expect((await fetch(`${url}/health`)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string; level: string });
      expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['projector started', 'projector stopped', 'shutdown complete']));
      // The only errors: the first test's poison record, dead-lettered again for this new consumer group (and the
      // platform's access log of the 503 /ready answers before the consumer was positioned).
      const errors = lines
        .filter((line) => (line.level === 'error' || line.level === 'fatal') && line.msg !== 'request completed')
        .map((line) => line.msg);
      expect(errors).toEqual(['record cannot be applied: sent to the dead-letter topic']);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
