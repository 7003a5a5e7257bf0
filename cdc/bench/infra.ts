// The real components the CDC bench measures, started by the launcher's own code on free ports and a throw-away
// folder (as the test run does): a private MariaDB, Kafka + Kafka Connect with Debezium, projector processes.
// Everything started is registered in a Cleanup and stopped by pid, newest first, also on Ctrl-C.
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { mariaDbPaths, prepareMariaDb, startMariaDb, stopMariaDb, type MariaDbInstance } from '@strangler/stack/components/mariadb';
import { freePort } from '@strangler/testkit/ports';
import { readLogTail, runTask, spawnManaged, stopPid, waitUntil } from '@strangler/stack/processes';
import { startCdcStack, type RunningCdcStack } from '@strangler/stack/testing/cdc-stack';
import { ConnectClient, deadLetterTopic, legacyConnectorConfig, waitUntilConnectorRunning } from '../src/connect/index.js';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** How `npm start -w cdc` runs TypeScript; the bench's child processes run the same way. */
const TSX = ['--conditions=development', '--import', 'tsx'];

/** Stop functions of whatever the bench started, run newest first; each runs once. */
export class Cleanup {
  private readonly steps: Array<{ name: string; run: () => Promise<unknown> }> = [];

  add(name: string, run: () => Promise<unknown>): () => Promise<void> {
    const step = { name, run };
    this.steps.push(step);
    return async () => {
      const index = this.steps.indexOf(step);
      if (index === -1) return;
      this.steps.splice(index, 1);
      await run();
    };
  }

  async runAll(log: (line: string) => void): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop() as { name: string; run: () => Promise<unknown> };
      try {
        await step.run();
      } catch (error) {
        log(`cleanup: ${step.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

export interface BenchMariaDb {
  host: string;
  port: number;
  pid: number;
  /** The bench's own account (all privileges, TCP): the writer, the watcher, the projectors and the CLIs use it. */
  user: string;
  password: string;
  /** Root over the unix socket, for CREATE DATABASE. */
  admin(): Promise<mysql.Connection>;
}

/** A private MariaDB like the test run's (binlog ROW/FULL), with a bench account and Debezium's `cdc` account. */
export async function startBenchMariaDb(home: string, cleanup: Cleanup, options: { durable: boolean }): Promise<BenchMariaDb & { cdcPassword: string }> {
  const instance: MariaDbInstance = { home, port: await freePort(), serverId: 901, fast: !options.durable, detached: true };
  await prepareMariaDb(instance);
  const server = await startMariaDb(instance);
  cleanup.add('mariadb', () => stopMariaDb(server));
  const admin = () => mysql.createConnection({ socketPath: mariaDbPaths(instance).socket, user: 'root', multipleStatements: true });
  const password = randomBytes(12).toString('hex');
  const cdcPassword = randomBytes(18).toString('base64url');
  const connection = await admin();
  try {
    await connection.query(`CREATE USER 'bench'@'127.0.0.1' IDENTIFIED BY '${password}'`);
    await connection.query(`GRANT ALL PRIVILEGES ON *.* TO 'bench'@'127.0.0.1'`);
    // The same grants as the stack's `cdc` account.
    await connection.query(`CREATE USER 'cdc'@'127.0.0.1' IDENTIFIED BY '${cdcPassword}'`);
    await connection.query(`GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'cdc'@'127.0.0.1'`);
  } finally {
    await connection.end();
  }
  return { host: '127.0.0.1', port: instance.port, pid: server.pid, user: 'bench', password, admin, cdcPassword };
}

export interface BenchKafka {
  brokers: string[];
  connectUrl: string;
  /** ${file:…} reference to the cdc account's password in the worker's secrets folder. */
  cdcPasswordReference: string;
  pids(): { kafka?: number; connect?: number };
}

/** Kafka (KRaft) + Kafka Connect with Debezium: the launcher's components via the test run's startCdcStack. */
export async function startBenchKafka(home: string, cdcPassword: string, cleanup: Cleanup): Promise<BenchKafka> {
  // On a failed start the orchestrator stops what it had started itself.
  const stack: RunningCdcStack = await startCdcStack({ home });
  cleanup.add('kafka + kafka connect', () => stack.stop());
  const file = stack.writeSecrets('mariadb-cdc', { password: cdcPassword });
  const pidOf = (pidFile: string) => {
    try {
      return Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10) || undefined;
    } catch {
      return undefined;
    }
  };
  return {
    brokers: stack.brokers,
    connectUrl: stack.connectUrl,
    cdcPasswordReference: `\${file:${file}:password}`,
    pids: () => ({ kafka: pidOf(join(home, 'kafka', 'kafka.pid')), connect: pidOf(join(home, 'kafka-connect', 'connect.pid')) }),
  };
}

export async function createDatabase(mariadb: BenchMariaDb, name: string): Promise<void> {
  const connection = await mariadb.admin();
  try {
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await connection.end();
  }
}

function dbEnv(mariadb: BenchMariaDb, database: string): Record<string, string> {
  return { DB_HOST: mariadb.host, DB_PORT: String(mariadb.port), DB_USER: mariadb.user, DB_PASSWORD: mariadb.password, DB_NAME: database };
}

/**
 * Runs one of the repo's CLIs (legacy's seed, a service's migrate) as its own process, as the launcher does: cdc/
 * code does not import legacy/ or a service's internals (dependency-cruiser), and the CLIs are what operators run.
 */
export async function runRepoCli(name: string, script: string, args: string[], mariadb: BenchMariaDb, database: string, logDir: string, signal: AbortSignal): Promise<void> {
  await runTask({
    name,
    command: process.execPath,
    args: [...TSX, script, ...args],
    cwd: REPO_ROOT,
    env: dbEnv(mariadb, database),
    logFile: join(logDir, `${name}.log`),
    signal,
  });
}

/** legacy's schema, and (seedUsers > 0) its deterministic demo users — 1 product and 1 order, the CLI's minimum. */
export async function createLegacyDatabase(mariadb: BenchMariaDb, database: string, seedUsers: number, logDir: string, signal: AbortSignal): Promise<void> {
  await createDatabase(mariadb, database);
  await runRepoCli(`${database}-seed`, 'legacy/src/seed/seed-cli.ts', ['--users', String(seedUsers), '--products', '1', '--orders', '1', '--seed', '7'], mariadb, database, logDir, signal);
}

/** users_svc's schema (its own migrations). */
export async function createUsersDatabase(mariadb: BenchMariaDb, database: string, logDir: string, signal: AbortSignal): Promise<void> {
  await createDatabase(mariadb, database);
  await runRepoCli(`${database}-migrate`, 'new-services/users/src/db/migrate-cli.ts', [], mariadb, database, logDir, signal);
}

export interface BenchConnector {
  name: string;
  topicPrefix: string;
  topic(table: string): string;
  remove(): Promise<void>;
}

/** Registers cdc/connectors/legacy.json for `database` under `topicPrefix` (as the test run does) and waits until it runs. */
export async function registerConnector(
  kafka: BenchKafka,
  mariadb: BenchMariaDb,
  database: string,
  topicPrefix: string,
  cleanup: Cleanup,
): Promise<BenchConnector> {
  const client = new ConnectClient(kafka.connectUrl);
  const name = `legacy-${topicPrefix}`;
  const config = legacyConnectorConfig({
    mariadb: { host: mariadb.host, port: mariadb.port, user: 'cdc' },
    passwordReference: kafka.cdcPasswordReference,
    kafkaBootstrap: kafka.brokers.join(','),
    database,
    topicPrefix,
    serverId: randomInt(10_000, 2 ** 31 - 1),
  });
  await client.putConnectorConfig(name, config);
  const remove = cleanup.add(`connector ${name}`, () => client.deleteConnector(name));
  await waitUntilConnectorRunning(client, name, { intervalMs: 100 });
  return { name, topicPrefix, topic: (table) => `${topicPrefix}.${database}.${table}`, remove };
}

export interface BenchProjector {
  pid: number;
  url: string;
  logFile: string;
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/** The users projector: the real entry point (cdc/src/server.ts) in its own process, as the pipeline tests spawn it. */
export async function startUsersProjector(
  options: { kafka: BenchKafka; mariadb: BenchMariaDb; topicPrefix: string; sourceDatabase: string; targetDatabase: string; logDir: string },
  cleanup: Cleanup,
): Promise<BenchProjector> {
  const port = await freePort();
  const { kafka, mariadb, topicPrefix } = options;
  const logFile = join(options.logDir, `projector-${topicPrefix}.log`);
  const child = spawnManaged({
    name: `projector-${topicPrefix}`,
    command: process.execPath,
    args: [...TSX, join(REPO_ROOT, 'cdc/src/server.ts')],
    cwd: REPO_ROOT,
    // A clean environment: nothing from the caller's shell changes what is measured.
    env: {
      PROJECTOR: 'users',
      KAFKA_BROKERS: kafka.brokers.join(','),
      TOPIC_PREFIX: topicPrefix,
      SOURCE_DATABASE: options.sourceDatabase,
      CONSUMER_GROUP: `${topicPrefix}-projector-users`,
      DEAD_LETTER_TOPIC: deadLetterTopic(topicPrefix, 'users'),
      ...dbEnv(mariadb, options.targetDatabase),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
    },
    logFile,
    // Own process group: Ctrl-C reaches only the bench, which stops its children itself.
    detached: true,
  });
  const stop = cleanup.add(`projector ${topicPrefix}`, async () => {
    await stopPid(child.pid, 15_000);
    await child.exited;
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      `projector ${topicPrefix}`,
      async () => {
        const response = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(1_000) });
        await response.arrayBuffer();
        return response.status === 200;
      },
      { timeoutMs: 60_000, intervalMs: 100, process: child },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${readLogTail(logFile, 20)}`);
  }
  return {
    pid: child.pid,
    url,
    logFile,
    metrics: async () => (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) })).text(),
    stop,
  };
}

/** Sum of every sample of a Prometheus metric (all label sets). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

/**
 * CPU time (user + system, all threads) a process has used so far, in ms; undefined where /proc cannot tell.
 * USER_HZ is 100 on every Linux this runs on.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}
