import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import mysql from 'mysql2/promise';
import { prepareMariaDb, startMariaDb, stopMariaDb, mariaDbPaths, type MariaDbInstance } from '../components/mariadb.js';
import { freePort } from '@strangler/testkit/ports';
import { startCdcStack } from './cdc-stack.js';
import type { TestKafka, TestMariaDb, TestUnleash } from '@strangler/testkit/provided';
import { startUnleashStack } from './unleash-stack.js';


async function startTestMariaDb() {
  // Short path: the unix socket lives here and socket paths are limited to ~107 bytes. Private (0700): root logs in
  // through that socket without a password.
  const home = mkdtempSync(join(tmpdir(), 'strangler-test-'));
  const instance: MariaDbInstance = { home, port: await freePort(), serverId: 901, fast: true };
  try {
    await prepareMariaDb(instance);
    const server = await startMariaDb(instance);
    return {
      provided: { host: '127.0.0.1', port: instance.port, socket: mariaDbPaths(instance).socket } satisfies TestMariaDb,
      async stop() {
        await stopMariaDb(server);
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

async function startTestUnleash() {
  const home = mkdtempSync(join(tmpdir(), 'strangler-unleash-'));
  // PostgreSQL runs as the `postgres` OS user when the tests run as root: it must be able to pass through (not list)
  // this folder; its own folder inside is private to it.
  chmodSync(home, 0o711);
  try {
    const unleash = await startUnleashStack({ home });
    return {
      provided: { unleashUrl: unleash.unleashUrl, adminToken: unleash.adminToken, clientToken: unleash.clientToken } satisfies TestUnleash,
      async stop() {
        await unleash.stop();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

async function startTestKafka() {
  const home = mkdtempSync(join(tmpdir(), 'strangler-kafka-'));
  try {
    const cdc = await startCdcStack({ home });
    return {
      cdc,
      async stop() {
        await cdc.stop();
        rmSync(home, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

/** Debezium's account on the test MariaDB (the same grants as the stack's `cdc` account). */
async function createCdcAccount(mariadb: TestMariaDb, kafka: Awaited<ReturnType<typeof startTestKafka>>): Promise<TestKafka> {
  const password = randomBytes(18).toString('base64url');
  const admin = await mysql.createConnection({ socketPath: mariadb.socket, user: 'root' });
  try {
    await admin.query(`CREATE USER 'cdc'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    await admin.query(`GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'cdc'@'127.0.0.1'`);
  } finally {
    await admin.end();
  }
  const file = kafka.cdc.writeSecrets('mariadb-cdc', { password });
  return { brokers: kafka.cdc.brokers, connectUrl: kafka.cdc.connectUrl, cdcAccount: { user: 'cdc', passwordReference: `\${file:${file}:password}` } };
}

/**
 * Starts the real components the tests need on free ports and throw-away data dirs, so neither a running
 * `npm start` nor another test run is disturbed: a private MariaDB, and (side by side with it) a private PostgreSQL
 * with Unleash on it, and Kafka with a Kafka Connect worker (Debezium's MariaDB connector on its plugin path). Stops and removes them all when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started = await Promise.allSettled([startTestMariaDb(), startTestUnleash(), startTestKafka()] as const);
  const [mariadb, unleash, kafka] = started;
  const stopAll = () => Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
  if (mariadb.status === 'rejected' || unleash.status === 'rejected' || kafka.status === 'rejected') {
    // Whichever did come up must not outlive the failed run.
    await stopAll();
    throw started.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []))[0];
  }
  try {
    project.provide('kafka', await createCdcAccount(mariadb.value.provided, kafka.value));
  } catch (error) {
    await stopAll();
    throw error;
  }
  project.provide('mariadb', mariadb.value.provided);
  project.provide('unleash', unleash.value.provided);
  return async () => {
    await stopAll();
  };
}
