import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readTopic } from '../testing/test-cdc.js';
import { startPrivateConnect, type PrivateConnect } from '@strangler/stack/testing/cdc-stack';
import { deadLetterTopic } from '../connect/pipeline-names.js';
import { seedDatabase } from '@strangler/legacy/seed';
import { runMixedWrites } from '../testing/legacy-load.js';
import { startPipeline, waitForConvergence, type Pipeline, type ProjectorProcess } from '../testing/pipeline-harness.js';

// The issue's acceptance run, on the real parts: Debezium on Kafka Connect captures a seeded legacy (10,000 users,
// 2,000 products) by snapshot, then 20,000 mixed writes through legacy's API stream through Kafka into users_svc and
// catalog_svc. Mid-stream both projectors are killed with SIGKILL and restarted, and Kafka Connect is killed and
// restarted. The targets must then equal the mapped source exactly, row by row, with no extra rows.

const SEED = { users: 10_000, products: 2_000, orders: 0 };
const WRITES = 20_000;

let pipeline: Pipeline;
let connect: PrivateConnect;
let connectHome: string;
const projectors: Partial<Record<'users' | 'catalog', ProjectorProcess>> = {};

beforeAll(async () => {
  // Its own Connect worker: this file kills it, and other test files' connectors live on the run's shared worker.
  const secretsDir = dirname(/^\$\{file:(.+):password\}$/.exec(inject('kafka').cdcAccount.passwordReference)?.[1] ?? '');
  connectHome = mkdtempSync(join(tmpdir(), 'strangler-connect-'));
  connect = await startPrivateConnect({ brokers: inject('kafka').brokers, home: connectHome, secretsDir });
  pipeline = await startPipeline('cdc_accept', {
    connectUrl: connect.url,
    beforeConnector: async (legacy) => {
      await seedDatabase(legacy.db, { ...SEED, seed: 5 });
    },
  });
  projectors.users = await pipeline.startProjector('users');
  projectors.catalog = await pipeline.startProjector('catalog');
}, 300_000);

afterAll(async () => {
  await pipeline?.close();
  await connect?.stop();
  if (connectHome) rmSync(connectHome, { recursive: true, force: true });
}, 120_000);

describe('CDC pipeline: legacy → Debezium → Kafka → projectors → users_svc / catalog_svc', () => {
  it('the snapshot alone makes the targets equal the seeded source', async () => {
    const result = await waitForConvergence(pipeline, 180_000);
    expect(result.accounts.actual).toHaveLength(SEED.users);
    expect(result.products.actual).toHaveLength(SEED.products);
    expect(result.accounts.actual).toEqual(result.accounts.expected);
    expect(result.products.actual).toEqual(result.products.expected);
  }, 240_000);

  it('after 20,000 mixed writes, with both projectors killed (-9) and Kafka Connect killed mid-stream, every row matches', async () => {
    let restarts: Promise<void> = Promise.resolve();
    const events: string[] = [];
    const summary = await runMixedWrites(pipeline.legacy, pipeline.legacyUrl, {
      writes: WRITES,
      concurrency: 8,
      seed: 11,
      onProgress(done) {
        if (done === 5_000) {
          restarts = restarts.then(async () => {
            await Promise.all([projectors.users!.kill9(), projectors.catalog!.kill9()]);
            events.push(`projectors killed at ~${done} writes`);
            projectors.users = await pipeline.startProjector('users');
            projectors.catalog = await pipeline.startProjector('catalog');
          });
        }
        if (done === 12_000) {
          restarts = restarts.then(async () => {
            await connect.stop({ hard: true });
            events.push(`kafka connect killed at ~${done} writes`);
            await connect.start();
          });
        }
      },
    });
    await restarts;
    expect(events).toHaveLength(2);
    expect(summary.unexpected).toEqual([]);
    expect(summary.writes).toBe(WRITES);

    const result = await waitForConvergence(pipeline, 180_000);
    // Row by row (toEqual shows the first differences), and no extra rows on either side.
    expect(result.accounts.actual.length).toBe(result.accounts.expected.length);
    expect(result.accounts.actual).toEqual(result.accounts.expected);
    expect(result.products.actual.length).toBe(result.products.expected.length);
    expect(result.products.actual).toEqual(result.products.expected);
    expect(result.converged).toBe(true);
  }, 600_000);

  it('a poison record goes to the dead-letter topic with its error, and the records after it are applied', async () => {
    const kafka = new Kafka({ brokers: inject('kafka').brokers, clientId: 'poison-test', logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const topic = pipeline.connector.topic('users');
    await producer.send({ topic, messages: [{ key: JSON.stringify({ id: 999_999 }), value: '{"op":"c","after":' }] });
    await producer.disconnect();
    // A real change after the poison record.
    const [user] = (await pipeline.legacy.db('users').select('id').orderBy('id').limit(1)) as Array<{ id: number }>;
    const token = (await pipeline.legacy.services.tokens.issue(user!.id)).token;
    const response = await fetch(`${pipeline.legacyUrl}/api/users/${user!.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ fullName: 'After The Poison' }),
    });
    expect(response.status).toBe(200);

    const deadLetters = await readTopic(deadLetterTopic(pipeline.connector.topicPrefix, 'users'), (records) => records.length >= 1, 60_000);
    const letter = deadLetters[0]?.value as { error: { code: string; message: string }; original: { topic: string; value: string } };
    expect(letter.original.topic).toBe(topic);
    expect(letter.original.value).toBe('{"op":"c","after":');
    expect(letter.error.code).toMatch(/[A-Z_]+/);
    expect(letter.error.message).not.toBe('');

    const result = await waitForConvergence(pipeline, 60_000);
    expect(result.accounts.actual).toEqual(result.accounts.expected);
    expect(result.accounts.actual.find((row) => (row as { id: number }).id === user!.id)).toMatchObject({ display_name: 'After The Poison' });
  }, 120_000);
});
