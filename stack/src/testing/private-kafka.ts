import { cdcJarPaths } from '../components/cdc-jars.js';
import { isKafkaReady, kafkaBootstrap, prepareKafka, spawnKafka, type KafkaInstance } from '../components/kafka.js';
import { freePort } from '@strangler/testkit/ports';
import { stopPid, waitUntil, type ManagedProcess } from '../processes.js';
import { TEST_CDC_JARS_DIR } from './cdc-stack.js';

export interface PrivateKafka {
  brokers: string[];
  /** SIGKILL: no shutdown, no final flush of its own; waits until the JVM is gone. */
  kill9(): Promise<void>;
  /** Starts it again on the same ports and storage (topics, offsets and groups survive) and waits until it serves. */
  start(): Promise<void>;
  /** Stops it (SIGTERM) if it runs. */
  stop(): Promise<void>;
  /** The broker's own log. */
  logFile(): string | undefined;
}

/**
 * A single-node KRaft broker of its own for a test that kills and restarts Kafka without disturbing the run's shared
 * one: the launcher's code (same config, same small heap), fixed ports for its lifetime, and no supervisor (the
 * test decides when it comes back).
 */
export async function startPrivateKafka(options: { home: string; heap?: string }): Promise<PrivateKafka> {
  const { runtimeDir, pluginPath } = cdcJarPaths(TEST_CDC_JARS_DIR);
  const instance: KafkaInstance = {
    home: options.home,
    port: await freePort(),
    controllerPort: await freePort(),
    jars: { runtimeDir, pluginPath },
    heap: options.heap ?? '384m',
  };
  await prepareKafka(instance);
  let broker: ManagedProcess | undefined;
  const start = async () => {
    if (broker) return;
    broker = await spawnKafka(instance);
    await waitUntil('private kafka', () => isKafkaReady(instance), { timeoutMs: 120_000, intervalMs: 200, process: broker });
  };
  await start();
  return {
    brokers: [kafkaBootstrap(instance)],
    start,
    logFile: () => broker?.logFile,
    async kill9() {
      if (!broker) return;
      const { exited, pid } = broker;
      process.kill(pid, 'SIGKILL');
      await exited;
      broker = undefined;
    },
    async stop() {
      if (!broker) return;
      const { exited, pid } = broker;
      await stopPid(pid, 30_000);
      await exited;
      broker = undefined;
    },
  };
}
