import { join } from 'node:path';
import type { StepOutcome } from '../component.js';
import { stackSlice, type StackSlice } from '../config.js';
import { secret, type StackComponent, type StackContext } from '../context.js';
import { executablePrerequisite } from '../prerequisites.js';
import { cdcJarPaths, ensureCdcJars, MAVEN_INSTALL_HINT } from './cdc-jars.js';
import { connectPaths, connectSecretsPath, connectUrl, isConnectReady, prepareConnect, spawnConnect, stopLeftoverConnect, writeConnectSecrets, type ConnectInstance } from './kafka-connect.js';
import { isKafkaReady, kafkaBootstrap, kafkaPaths, prepareKafka, spawnKafka, stopLeftoverKafka, type KafkaInstance } from './kafka.js';
import { mariadbEnv, mariadbPasswordKey } from './mariadb-server.js';
import { nodeService, nodeStep } from './node-process.js';

export const CDC_POM = 'cdc/maven/pom.xml';
export const CDC_MARIADB_USER = 'cdc';

export function cdcJarsDir(ctx: StackContext): string {
  return ctx.config.cdcJarsDir ?? join(ctx.paths.stackDir, 'cdc-jars');
}

function jars(ctx: StackContext) {
  const { runtimeDir, pluginPath } = cdcJarPaths(cdcJarsDir(ctx));
  return { runtimeDir, pluginPath };
}

export function kafkaInstance(ctx: StackContext): KafkaInstance {
  return {
    home: join(ctx.paths.stackDir, 'kafka'),
    port: ctx.config.kafkaPort,
    controllerPort: ctx.config.kafkaControllerPort,
    jars: jars(ctx),
    heap: ctx.config.jvmHeap,
    env: { ...ctx.baseEnv },
    detached: true,
  };
}

export function connectInstance(ctx: StackContext): ConnectInstance {
  return {
    home: join(ctx.paths.stackDir, 'kafka-connect'),
    port: ctx.config.connectPort,
    bootstrap: kafkaBootstrap(kafkaInstance(ctx)),
    jars: jars(ctx),
    heap: ctx.config.jvmHeap,
    env: { ...ctx.baseEnv },
    detached: true,
  };
}

const JAVA = executablePrerequisite('java (JDK/JRE 17+, runs Kafka and Kafka Connect)', ['java'], MAVEN_INSTALL_HINT);
const MAVEN = executablePrerequisite('mvn (fetches Kafka, Kafka Connect and Debezium from Maven Central)', ['mvn'], MAVEN_INSTALL_HINT);

/** Kafka, Connect and Debezium jars from Maven Central (cdc/maven/pom.xml), fetched once into <STACK_DIR>/cdc-jars. */
export const cdcJars: StackComponent = {
  name: 'cdc-jars',
  prerequisites: [JAVA, MAVEN],
  logFile: (ctx) => join(ctx.paths.logsDir, 'cdc-jars.log'),
  async start({ stack, progress, signal }): Promise<StepOutcome> {
    const { fetched } = await ensureCdcJars({
      pom: join(stack.repoRoot, CDC_POM),
      jarsDir: cdcJarsDir(stack),
      logFile: join(stack.paths.logsDir, 'cdc-jars.log'),
      progress,
      signal,
    });
    return fetched ? { detail: `fetched into ${cdcJarsDir(stack)}` } : { skipped: true, detail: 'jars already fetched' };
  },
  failureHint: 'Maven needs Maven Central (https://repo.maven.apache.org); its output is in <STACK_DIR>/logs/cdc-jars.log',
};

/** Single-node Kafka (KRaft): broker + controller in one JVM, heap bounded by STACK_JVM_HEAP. */
export const kafkaBroker: StackComponent = {
  name: 'kafka',
  dependsOn: [cdcJars.name],
  prerequisites: [JAVA],
  ports: (ctx) => [
    { port: ctx.config.kafkaPort, env: 'KAFKA_PORT' },
    { port: ctx.config.kafkaControllerPort, env: 'KAFKA_CONTROLLER_PORT' },
  ],
  stopLeftovers: (ctx) => stopLeftoverKafka(kafkaInstance(ctx)),
  async prepare({ stack, progress }) {
    // One line only: a plain (non-TTY) display shows at most one progress line per component per interval.
    if (await prepareKafka(kafkaInstance(stack))) progress('formatted new KRaft storage');
  },
  start: ({ stack }) => spawnKafka(kafkaInstance(stack)),
  health: { check: (ctx) => isKafkaReady(kafkaInstance(ctx)), intervalMs: 250 },
  endpoint: (ctx) => kafkaBootstrap(kafkaInstance(ctx)),
  logFile: (ctx) => kafkaPaths(kafkaInstance(ctx)).logFile,
  failureHint: 'the broker logs to <STACK_DIR>/kafka/kafka.log; `npm run stack:reset` starts over with empty storage',
};

/** Kafka Connect distributed worker with Debezium's MariaDB connector on its plugin path. */
export const kafkaConnect: StackComponent = {
  name: 'kafka-connect',
  dependsOn: [kafkaBroker.name],
  prerequisites: [JAVA],
  ports: (ctx) => [{ port: ctx.config.connectPort, env: 'CONNECT_PORT' }],
  stopLeftovers: (ctx) => stopLeftoverConnect(connectInstance(ctx)),
  async prepare({ stack }) {
    prepareConnect(connectInstance(stack));
  },
  start: ({ stack }) => spawnConnect(connectInstance(stack)),
  health: { check: (ctx) => isConnectReady(connectInstance(ctx)), intervalMs: 250 },
  endpoint: (ctx) => connectUrl(connectInstance(ctx)),
  logFile: (ctx) => connectPaths(connectInstance(ctx)).logFile,
  failureHint: 'the worker logs to <STACK_DIR>/kafka-connect/connect.log',
};

/** Registers the legacy connector (cdc/connectors/legacy.json) and waits until it runs, as compose's cdc-register does. */
const registerStep = nodeStep({
  name: 'cdc-connector',
  // Its tables must exist (Debezium snapshots what is there) and its account must have been made.
  dependsOn: ['kafka-connect', 'legacy-migrate'],
  script: 'cdc/src/connect/register-cli.ts',
  secrets: [mariadbPasswordKey(CDC_MARIADB_USER)],
  env: (ctx) => ({
    CONNECT_URL: connectUrl(connectInstance(ctx)),
    CDC_DB_HOST: '127.0.0.1',
    CDC_DB_PORT: String(ctx.config.mariadbPort),
    CDC_DB_USER: CDC_MARIADB_USER,
    CDC_DB_PASSWORD_REFERENCE: `\${file:${connectSecretsPath(connectInstance(ctx), CDC_SECRETS)}:password}`,
    KAFKA_BROKERS: kafkaBootstrap(kafkaInstance(ctx)),
    SLICES_DIR: ctx.config.slicesDir,
  }),
  failureHint: 'the connector runs inside Kafka Connect: see <STACK_DIR>/kafka-connect/connect.log, or `npm run strangler -- cdc status`',
});

/** The worker's secrets file holding the cdc account's password; the connector config only names it. */
const CDC_SECRETS = 'mariadb-cdc';

/** PUT of the connector config on every start (idempotent), then a wait until it runs. */
export const legacyConnector: StackComponent = {
  ...registerStep,
  async prepare({ stack }) {
    writeConnectSecrets(connectInstance(stack), CDC_SECRETS, { password: secret(stack, mariadbPasswordKey(CDC_MARIADB_USER)) });
  },
  async start(args): Promise<StepOutcome> {
    await registerStep.start?.(args);
    return { detail: 'cdc/connectors/legacy.json registered, running' };
  },
};

/** Keeps a slice's service database in step with the legacy tables its manifest lists. */
export function sliceProjector({ manifest }: StackSlice): StackComponent {
  const name = manifest.projector.name;
  const port = (ctx: StackContext) => stackSlice(ctx.config, manifest.name).projectorPort;
  return nodeService({
    name: `${name}-projector`,
    dependsOn: [legacyConnector.name, `${manifest.name}-migrate`],
    script: 'cdc/src/main.ts',
    port,
    portEnv: manifest.projector.port.setting,
    env: (ctx) => ({
      ...mariadbEnv(ctx, manifest.service.database, manifest.service.database),
      PROJECTOR: name,
      SLICES_DIR: ctx.config.slicesDir,
      KAFKA_BROKERS: kafkaBootstrap(kafkaInstance(ctx)),
      HOST: '127.0.0.1',
      PORT: String(port(ctx)),
      LOG_LEVEL: ctx.config.serviceLogLevel,
    }),
  });
}
