import { join } from 'node:path';
import { cdcJars, connectInstance, kafkaBroker, kafkaConnect, kafkaInstance } from '../components/cdc.js';
import { cdcJarPaths } from '../components/cdc-jars.js';
import { connectUrl, isConnectReady, prepareConnect, spawnConnect, writeConnectSecrets } from '../components/kafka-connect.js';
import { kafkaBootstrap } from '../components/kafka.js';
import { REPO_ROOT } from '../config.js';
import type { StackContext } from '../context.js';
import { freePort } from '@strangler/testkit/ports';
import { stopPid, waitUntil, type ManagedProcess } from '../processes.js';
import { startComponents } from './component-harness.js';

/**
 * Where test runs keep the jars Maven fetched (git-ignored, reused by later runs of this clone): the first run of a
 * fresh clone fetches them; later runs only check the stamp.
 */
export const TEST_CDC_JARS_DIR = join(REPO_ROOT, '.stack-test', 'cdc-jars');

export interface RunningCdcStack {
  ctx: StackContext;
  brokers: string[];
  connectUrl: string;
  /** The worker's secrets folder: connectors reference files in it as ${file:<path>:<key>}. */
  writeSecrets(name: string, values: Record<string, string>): string;
  stop(): Promise<void>;
}

/**
 * The launcher's own `cdc-jars`, `kafka` and `kafka-connect` components, brought up by its orchestrator on a
 * throw-away folder and free ports: the test run's Kafka and Connect are started by the same code as `npm start`.
 */
export async function startCdcStack(options: { home: string; jarsDir?: string }): Promise<RunningCdcStack> {
  const { ctx, stop } = await startComponents([cdcJars, kafkaBroker, kafkaConnect], {
    STACK_DIR: options.home,
    KAFKA_PORT: String(await freePort()),
    KAFKA_CONTROLLER_PORT: String(await freePort()),
    CONNECT_PORT: String(await freePort()),
    CDC_JARS_DIR: options.jarsDir ?? TEST_CDC_JARS_DIR,
    // The first run of a fresh clone downloads from Maven Central.
    STACK_SETUP_TIMEOUT_MS: '900000',
  });
  return {
    ctx,
    brokers: [kafkaBootstrap(kafkaInstance(ctx))],
    connectUrl: connectUrl(connectInstance(ctx)),
    writeSecrets: (name, values) => writeConnectSecrets(connectInstance(ctx), name, values),
    stop,
  };
}


export interface PrivateConnect {
  url: string;
  /** Stops the worker (SIGTERM, or SIGKILL with `hard`) and waits until it is gone. */
  stop(options?: { hard?: boolean }): Promise<void>;
  /** Starts it again on the same port and Connect cluster: connectors and their source offsets survive. */
  start(): Promise<void>;
}

/**
 * A Kafka Connect worker of its own (own Connect cluster: group id and storage topics) on the run's Kafka, for a
 * test that must stop and restart Connect without disturbing the other test files' connectors. Same launcher code
 * as `npm start`'s worker; the secrets folder is shared with the run's worker so its ${file:…} references resolve.
 */
export async function startPrivateConnect(options: { brokers: string[]; home: string; secretsDir: string }): Promise<PrivateConnect> {
  const { runtimeDir, pluginPath } = cdcJarPaths(TEST_CDC_JARS_DIR);
  const instance = {
    home: options.home,
    port: await freePort(),
    bootstrap: options.brokers.join(','),
    jars: { runtimeDir, pluginPath },
    heap: '512m',
    groupId: `connect-${Date.now().toString(36)}`,
    secretsDir: options.secretsDir,
  };
  let worker: ManagedProcess | undefined;
  const start = async () => {
    prepareConnect(instance);
    worker = await spawnConnect(instance);
    await waitUntil('private kafka connect', () => isConnectReady(instance), { timeoutMs: 120_000, intervalMs: 200, process: worker });
  };
  await start();
  return {
    url: connectUrl(instance),
    start,
    async stop({ hard = false } = {}) {
      if (!worker) return;
      const { exited, pid } = worker;
      if (hard) process.kill(pid, 'SIGKILL');
      else await stopPid(pid, 30_000);
      await exited;
      worker = undefined;
    },
  };
}
