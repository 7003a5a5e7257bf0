import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { Knex } from '@strangler/platform';
import { deadLetterTopic, defaultConsumerGroup } from '../connect/pipeline-names.js';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { freePort } from '@strangler/testkit/ports';
import { registerTestConnector, type TestConnector } from './test-cdc.js';
import { createTestApp, type TestApp } from '@strangler/legacy/testing/test-app';
import { migrateToLatest as migrateCatalog } from '@strangler/catalog-service/migrations';
import { migrateToLatest as migrateUsers } from '@strangler/users-service/migrations';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROJECTOR_SCRIPT = join(REPO_ROOT, 'cdc/src/server.ts');

export type ProjectorName = 'users' | 'catalog';

/**
 * The whole pipeline for one test file, on the run's real components: legacy (its own test database, served over
 * HTTP), a Debezium connector capturing it under a unique topic prefix, the users and catalog target databases, and
 * projector processes (the real entry point, spawned, so a test can kill -9 them).
 */
export interface Pipeline {
  legacy: TestApp;
  legacyUrl: string;
  connector: TestConnector;
  targets: Record<ProjectorName, TestDatabase>;
  startProjector(name: ProjectorName, extraEnv?: Record<string, string>): Promise<ProjectorProcess>;
  /** Stops the projectors, removes the connector, drops the databases and the projectors' log folder. */
  close(): Promise<void>;
}

export interface ProjectorProcess {
  name: ProjectorName;
  url: string;
  child: ChildProcess;
  logFile: string;
  /** SIGKILL: no shutdown handler runs, the batch in flight is lost mid-transaction. */
  kill9(): Promise<void>;
  /** SIGTERM: graceful shutdown; resolves with the exit code. */
  stop(): Promise<number | null>;
  metrics(): Promise<string>;
}

export async function startPipeline(prefix: string, options: { connectUrl?: string; beforeConnector?: (legacy: TestApp) => Promise<void> } = {}): Promise<Pipeline> {
  const legacy = await createTestApp(`${prefix}_legacy`);
  await options.beforeConnector?.(legacy);
  const server: Server = await new Promise((resolve) => {
    const listening = legacy.app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const legacyUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const users = await createTestDatabase(`${prefix}_users`);
  await migrateUsers(users.db);
  const catalog = await createTestDatabase(`${prefix}_catalog`);
  await migrateCatalog(catalog.db);
  const connector = await registerTestConnector(legacy.database.name, { connectUrl: options.connectUrl });
  const logDir = mkdtempSync(join(tmpdir(), `strangler-${prefix}-`));
  const running = new Set<ProjectorProcess>();

  const startProjector = async (name: ProjectorName, extraEnv: Record<string, string> = {}): Promise<ProjectorProcess> => {
    const target = name === 'users' ? users : catalog;
    const port = await freePort();
    const logFile = join(logDir, `${name}-projector-${Date.now()}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', PROJECTOR_SCRIPT], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PROJECTOR: name,
        KAFKA_BROKERS: inject('kafka').brokers.join(','),
        TOPIC_PREFIX: connector.topicPrefix,
        SOURCE_DATABASE: legacy.database.name,
        CONSUMER_GROUP: defaultConsumerGroup(name, connector.topicPrefix),
        DEAD_LETTER_TOPIC: deadLetterTopic(connector.topicPrefix, name),
        DB_HOST: target.connection.host,
        DB_PORT: String(target.connection.port),
        DB_USER: target.connection.user,
        DB_PASSWORD: target.connection.password,
        DB_NAME: target.connection.database,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'info',
        ...extraEnv,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const url = `http://127.0.0.1:${port}`;
    const projector: ProjectorProcess = {
      name,
      url,
      child,
      logFile,
      async kill9() {
        child.kill('SIGKILL');
        await exited;
        running.delete(projector);
      },
      async stop() {
        child.kill('SIGTERM');
        const code = await exited;
        running.delete(projector);
        return code;
      },
      async metrics() {
        const response = await fetch(`${url}/metrics`);
        return response.text();
      },
    };
    running.add(projector);
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${name} projector exited with ${child.exitCode}; see ${logFile}`);
      try {
        const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        if (response.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${name} projector not ready after 60 s; see ${logFile}`);
      await sleep(100);
    }
    return projector;
  };

  return {
    legacy,
    legacyUrl,
    connector,
    targets: { users, catalog },
    startProjector,
    async close() {
      await Promise.all([...running].map((projector) => projector.stop()));
      await connector.remove().catch(() => undefined);
      await new Promise((resolve) => server.close(resolve));
      await Promise.all([legacy.drop(), users.drop(), catalog.drop()]);
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}

// --- what the target must hold: legacy's rows, mapped -----------------------------------------------------------------

const ms = (value: Date | null) => (value === null ? null : value.getTime());

/** Legacy's users as users_svc must hold them (accounts keep legacy's id). */
export async function expectedAccounts(legacy: Knex) {
  const rows = (await legacy('users').select('*').orderBy('id')) as Array<Record<string, unknown> & { created_at: Date; updated_at: Date }>;
  return rows.map((row) => ({
    id: row.id,
    legacy_id: row.id,
    email: row.email,
    email_normalized: String(row.email).trim().toLowerCase(),
    display_name: row.full_name,
    status: row.status,
    password_hash: row.password_hash,
    created_at: ms(row.created_at),
    updated_at: ms(row.updated_at),
  }));
}

export async function actualAccounts(target: Knex) {
  const rows = (await target('accounts')
    .select('id', 'legacy_id', 'email', 'email_normalized', 'display_name', 'status', 'password_hash', 'created_at', 'updated_at')
    .orderBy('id')) as Array<Record<string, unknown> & { created_at: Date; updated_at: Date }>;
  return rows.map((row) => ({ ...row, created_at: ms(row.created_at), updated_at: ms(row.updated_at) }));
}

/** Legacy's products with their inventory, as catalog_svc must hold them (a product without stock: 0/0). */
export async function expectedProducts(legacy: Knex) {
  const rows = (await legacy('products as p')
    .leftJoin('inventory as i', 'i.product_id', 'p.id')
    .select('p.*', 'i.quantity', 'i.reserved')
    .orderBy('p.id')) as Array<Record<string, unknown> & { created_at: Date; updated_at: Date }>;
  return rows.map((row) => ({
    id: row.id,
    legacy_id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    price_amount_minor: Number(row.price_minor),
    price_currency: row.currency,
    is_active: Boolean(row.active),
    stock_quantity: row.quantity ?? 0,
    stock_reserved: row.reserved ?? 0,
    created_at: ms(row.created_at),
    updated_at: ms(row.updated_at),
  }));
}

export async function actualProducts(target: Knex) {
  const rows = (await target('products')
    .select(
      'id',
      'legacy_id',
      'sku',
      'name',
      'description',
      'price_amount_minor',
      'price_currency',
      'is_active',
      'stock_quantity',
      'stock_reserved',
      'created_at',
      'updated_at',
    )
    .orderBy('id')) as Array<Record<string, unknown> & { created_at: Date | null; updated_at: Date | null }>;
  return rows.map((row) => ({
    ...row,
    price_amount_minor: row.price_amount_minor === null ? null : Number(row.price_amount_minor),
    is_active: row.is_active === null ? null : Boolean(row.is_active),
    created_at: ms(row.created_at),
    updated_at: ms(row.updated_at),
  }));
}

/**
 * Polls until the target equals the mapped source (row by row, no extra rows) or the timeout passes; returns the
 * last comparison either way, so the test's assertion shows the difference.
 */
export async function waitForConvergence(
  pipeline: Pipeline,
  timeoutMs = 120_000,
): Promise<{ converged: boolean; accounts: { expected: unknown[]; actual: unknown[] }; products: { expected: unknown[]; actual: unknown[] } }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [ea, aa, ep, ap] = await Promise.all([
      expectedAccounts(pipeline.legacy.db),
      actualAccounts(pipeline.targets.users.db),
      expectedProducts(pipeline.legacy.db),
      actualProducts(pipeline.targets.catalog.db),
    ]);
    const converged = JSON.stringify(ea) === JSON.stringify(aa) && JSON.stringify(ep) === JSON.stringify(ap);
    if (converged || Date.now() > deadline) return { converged, accounts: { expected: ea, actual: aa }, products: { expected: ep, actual: ap } };
    await sleep(500);
  }
}
