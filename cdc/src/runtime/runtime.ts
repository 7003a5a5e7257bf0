import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel as KafkaLogLevel, Partitioners, type Admin, type Consumer, type ConsumerRunConfig, type EachBatchPayload, type LogEntry, type Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Knex, Logger } from '@strangler/platform';
import { classifyError } from '../errors.js';
import type { Projector } from '../projectors/projector.js';
import { BatchApplier } from './batch-applier.js';
import { ConsumerHealth, type HealthNotice, type HealthSnapshot } from './consumer-health.js';
import { kafkaDeadLetterSink } from './dead-letters.js';
import { classifyKafkaFailure, rootCause } from './kafka-failures.js';
import { startKafkaProbe, type KafkaProbe } from './kafka-probe.js';
import { createCdcMetrics, type CdcMetrics } from './metrics.js';
import { migrateCdcSchema } from '../schema.js';
import { KnexPositionStore, positionKey, type PositionStore } from './positions.js';

export interface ProjectorRuntimeOptions {
  projector: Projector;
  /** The target database (the service's); the runtime creates its positions table there. */
  db: Knex;
  logger: Logger;
  registry: Registry;
  kafkaBrokers: string[];
  kafkaClientId: string;
  topicPrefix: string;
  sourceDatabase: string;
  consumerGroup: string;
  deadLetterTopic: string;
  maxRecordsPerTransaction: number;
  maxBytesPerPartition: number;
  retryInitialMs: number;
  retryMaxMs: number;
  progressIntervalMs: number;
  /** The group's session timeout: how soon a member that died (with the broker, or kill -9) stops holding up a rejoin. */
  sessionTimeoutMs?: number;
  /** How often the broker is asked whether it answers (drives readiness and `cdc_kafka_reachable`). */
  kafkaProbeIntervalMs?: number;
  /** Longest wait between consumer restarts while Kafka stays unreachable (from retryInitialMs, doubling). */
  consumerRestartMaxMs?: number;
}

export interface ProjectorRuntime {
  readonly metrics: CdcMetrics;
  /** Creates what it needs (positions table, missing topics), joins the group and starts applying. */
  start(): Promise<void>;
  /** Stops fetching, lets the batch in flight finish and commit, leaves the group, disconnects. Idempotent. */
  stop(): Promise<void>;
  /** Joined the group, positioned every assigned partition at its stored offset, and the broker answers. */
  isReady(): boolean;
  /** Consuming or not, and why not: for /status and the logs. */
  health(): HealthSnapshot;
  /** Rejects if the consumer fails for good (kafkajs gave up restarting it): the process should exit non-zero. */
  readonly failed: Promise<never>;
}

/** The change topic Debezium writes a table of the monolith to. */
export function changeTopic(prefix: string, database: string, table: string): string {
  return `${prefix}.${database}.${table}`;
}

/**
 * kafkajs's own lines go to debug, whatever their level: while the broker is down it logs every connection attempt
 * and crash at ERROR. The runtime says what they amount to itself (one line when an outage begins, one when it
 * ends, one for a fatal failure); LOG_LEVEL=debug shows kafkajs's detail.
 */
function kafkaLogger(logger: Logger) {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      child.debug({ ...extra, kafkajsLevel: KafkaLogLevel[level] }, message);
    };
}

/**
 * One projector as a Kafka consumer: subscribes to its tables' change topics, seeks each assigned partition to the
 * position stored in the target database, and applies batches with the BatchApplier. Order is kept per partition
 * (one partition at a time).
 */
export function createProjectorRuntime(options: ProjectorRuntimeOptions): ProjectorRuntime {
  const { projector, logger } = options;
  const metrics = createCdcMetrics(options.registry);
  const topicTables = new Map(projector.tables.map((table) => [changeTopic(options.topicPrefix, options.sourceDatabase, table), table]));
  const topics = [...topicTables.keys()];
  const positions: PositionStore = new KnexPositionStore(options.db, options.consumerGroup);

  const sessionTimeout = options.sessionTimeoutMs ?? 10_000;
  const restartMaxMs = options.consumerRestartMaxMs ?? 5_000;
  const kafka = new Kafka({
    clientId: options.kafkaClientId,
    brokers: options.kafkaBrokers,
    logLevel: logger.isLevelEnabled('debug') ? KafkaLogLevel.INFO : KafkaLogLevel.NOTHING,
    logCreator: kafkaLogger(logger),
  });
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer: Consumer = kafka.consumer({
    groupId: options.consumerGroup,
    maxBytesPerPartition: options.maxBytesPerPartition,
    allowAutoTopicCreation: false,
    sessionTimeout,
    heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)),
    // The runtime restarts the consumer itself, whatever the crash: kafkajs restarts only after errors it calls
    // retriable, and "Failed to find group coordinator" (a broker restart, seen from a consumer) is not one of them.
    retry: { restartOnFailure: async () => false },
  });
  const health = new ConsumerHealth();

  const applier = new BatchApplier({
    projector,
    positions,
    deadLetters: kafkaDeadLetterSink(producer, options.deadLetterTopic),
    metrics,
    logger,
    sourceDatabase: options.sourceDatabase,
    topicTables,
    maxRecordsPerTransaction: options.maxRecordsPerTransaction,
    retry: { initialMs: options.retryInitialMs, maxMs: options.retryMaxMs },
  });

  let stopping = false;
  let started = false;
  const stopSignal = new AbortController();
  let progressTimer: NodeJS.Timeout | undefined;
  let restartTimer: NodeJS.Timeout | undefined;
  let restartDelay = options.retryInitialMs;
  let probe: KafkaProbe | undefined;
  let outagesCounted = 0;
  // Batches wait for the seek of the current assignment: no record is applied from a position the database did not choose.
  let positioned: Promise<void> = Promise.resolve();
  let generation = 0;
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined);

  /** Logs the health's notices and mirrors its state in the metrics. */
  function publish(notices: HealthNotice[] = []): void {
    for (const notice of notices) logger[notice.level](notice.fields, notice.msg);
    const snapshot = health.snapshot();
    metrics.consuming.set(snapshot.consuming ? 1 : 0);
    metrics.kafkaReachable.set(snapshot.kafka === 'reachable' ? 1 : 0);
    if (snapshot.outages > outagesCounted) {
      metrics.outages.inc(snapshot.outages - outagesCounted);
      outagesCounted = snapshot.outages;
      metrics.lastOutageSeconds.set((snapshot.lastOutageMs ?? 0) / 1000);
    }
  }

  /** Waits `ms`, or less if the runtime stops meanwhile; false when it stopped. */
  async function pause(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: stopSignal.signal });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Runs `work` until it succeeds, waiting out outages (`isOutage`) with doubling back-off; anything else is thrown.
   * Resolves false when the runtime was stopped meanwhile.
   */
  async function untilUp(work: () => Promise<void>, isOutage: (error: unknown) => boolean, report: (error: unknown, attempt: number, retryInMs: number) => void): Promise<boolean> {
    let delay = options.retryInitialMs;
    for (let attempt = 1; ; attempt++) {
      if (stopping) return false;
      try {
        await work();
        return true;
      } catch (error) {
        if (stopping) return false;
        if (!isOutage(error)) throw error;
        report(error, attempt, delay);
      }
      if (!(await pause(delay))) return false;
      delay = Math.min(delay * 2, restartMaxMs);
    }
  }

  /** Seeks every assigned partition to stored offset + 1, or the partition's earliest offset when nothing is stored. */
  async function seekAssigned(assignment: Record<string, number[] | undefined>, joined: number): Promise<void> {
    let delay = options.retryInitialMs;
    // A newer assignment (the group rebalanced while the database was unreachable) supersedes this one.
    while (joined === generation) {
      try {
        const assignedTopics = Object.keys(assignment);
        const applied = await positions.appliedOffsets(assignedTopics);
        const seeks: Array<{ topic: string; partition: number; offset: string }> = [];
        for (const topic of assignedTopics) {
          const watermarks = await admin.fetchTopicOffsets(topic);
          for (const partition of assignment[topic] ?? []) {
            const stored = applied.get(positionKey(topic, partition));
            const { low = '0', high = '0' } = watermarks.find((entry) => entry.partition === partition) ?? {};
            seeks.push({ topic, partition, offset: stored === undefined ? low : String(stored + 1) });
            // Lag is known before the first batch (and stays 0 on an idle partition).
            const lag = Number(high) - (stored === undefined ? Number(low) : stored + 1);
            metrics.offsetLag.set({ topic, partition: String(partition) }, Math.max(0, lag));
          }
        }
        if (joined !== generation) return;
        for (const seek of seeks) consumer.seek(seek);
        logger.info({ seeks }, 'partitions assigned: positioned at the offsets stored in the target database');
        restartDelay = options.retryInitialMs;
        publish(health.positioned());
        return;
      } catch (error) {
        if (stopping) return;
        // During an outage the outage line already says why; this would repeat it at every back-off.
        logger[health.inOutage() ? 'debug' : 'warn']({ err: error, retryInMs: delay }, 'could not read the stored positions; retrying');
        if (!(await pause(delay))) return;
        delay = Math.min(delay * 2, options.retryMaxMs);
      }
    }
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    await positioned;
    if (!payload.isRunning() || payload.isStale()) return;
    const { batch } = payload;
    await applier.applyBatch(
      { topic: batch.topic, partition: batch.partition, highWatermark: batch.highWatermark, messages: batch.messages },
      {
        isRunning: payload.isRunning,
        isStale: payload.isStale,
        resolveOffset: payload.resolveOffset,
        heartbeat: payload.heartbeat,
        commitOffset: (offset) => consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset }]),
      },
    );
  }

  /**
   * Debezium creates a change topic with its first record: an empty table has none yet, and subscribing needs it.
   * Debezium may be creating the same topic right now; until its metadata reaches the broker, kafkajs answers with a
   * retriable error (UNKNOWN_TOPIC_OR_PARTITION), which the caller waits out like an unreachable broker.
   */
  async function ensureTopics(): Promise<void> {
    const existing = new Set(await admin.listTopics());
    const missing = [...topics, options.deadLetterTopic].filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
    logger.info({ topics: missing }, 'created missing topics');
  }

  const runConfig: ConsumerRunConfig = { autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch };

  /**
   * kafkajs gave up on the consumer (it has disconnected it already). An outage — broker down or restarting, the
   * coordinator lost or loading — restarts it with back-off until it rejoins; a fatal failure ends the runtime.
   */
  function onCrash(error: unknown): void {
    // A seek still waiting for this membership's positions must not act on a consumer that is gone.
    generation++;
    if (stopping) return;
    const failure = classifyKafkaFailure(error);
    if (failure.kind === 'fatal') {
      health.failed();
      publish();
      logger.error({ err: error, reason: failure.reason }, 'consumer crashed and cannot recover: stopping');
      fail(error instanceof Error ? error : new Error(failure.reason));
      return;
    }
    const delay = restartDelay;
    restartDelay = Math.min(restartDelay * 2, restartMaxMs);
    metrics.consumerRestarts.inc();
    publish(health.crashed(failure.reason, delay));
    clearTimeout(restartTimer);
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (stopping) return;
      publish(health.joining());
      // run() reports a failed start through the CRASH event; it rejects only if kafkajs itself broke.
      consumer.run(runConfig).catch(onCrash);
    }, delay);
  }

  function startProgressLog(): void {
    let last = { ...applier.totals };
    let lastAt = Date.now();
    progressTimer = setInterval(async () => {
      const now = Date.now();
      const totals = { ...applier.totals };
      const applied = totals.applied - last.applied;
      const replayed = totals.replayed - last.replayed;
      const failedCount = totals.failed - last.failed;
      if (applied + replayed + failedCount > 0) {
        const lag = (await metrics.offsetLag.get()).values.reduce((sum, entry) => sum + entry.value, 0);
        const perSecond = Math.round((applied / ((now - lastAt) / 1000)) * 10) / 10;
        logger.info({ applied, replayed, failed: failedCount, perSecond, lag, totals }, lag > 0 ? 'catching up' : 'progress');
      }
      last = totals;
      lastAt = now;
    }, options.progressIntervalMs);
    progressTimer.unref();
  }

  return {
    metrics,
    failed,
    isReady: () => health.isConsuming() && !stopping,
    health: () => health.snapshot(),
    async start() {
      if (started) throw new Error('the runtime was already started');
      started = true;
      publish();
      // The target database or Kafka may be restarting too: wait for them rather than exit (the listener is up,
      // /ready says 503 meanwhile). Only what waiting cannot fix (bad credentials, a bug) ends the start.
      const isDbOutage = (error: unknown) => classifyError(error).kind === 'transient';
      const dbDown = (error: unknown, attempt: number, retryInMs: number) =>
        logger[attempt === 1 ? 'warn' : 'debug']({ err: error, reason: rootCause(error), retryInMs, attempt }, 'the target database is unreachable; retrying until it answers');
      if (!(await untilUp(() => migrateCdcSchema(options.db), isDbOutage, dbDown))) return;
      probe = startKafkaProbe({
        brokers: options.kafkaBrokers,
        clientId: options.kafkaClientId,
        intervalMs: options.kafkaProbeIntervalMs ?? 2_000,
        report: (reachable, error) => publish(health.probed(reachable, error === undefined ? undefined : rootCause(error))),
      });
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        generation++;
        publish(health.joining());
        positioned = seekAssigned(event.payload.memberAssignment, generation);
      });
      consumer.on(consumer.events.REBALANCING, () => publish(health.joining()));
      consumer.on(consumer.events.CRASH, (event) => onCrash(event.payload.error));
      const isKafkaOutage = (error: unknown) => classifyKafkaFailure(error).kind === 'outage';
      const connected = await untilUp(
        async () => {
          await admin.connect();
          await ensureTopics();
          await producer.connect();
          await consumer.connect();
          await consumer.subscribe({ topics, fromBeginning: true });
        },
        isKafkaOutage,
        (error, attempt, retryInMs) => publish(health.unavailable(`cannot connect to Kafka: ${rootCause(error)}`).map((notice) => ({ ...notice, fields: { ...notice.fields, attempt, retryInMs } }))),
      );
      if (!connected) return;
      publish(health.joining());
      await consumer.run(runConfig);
      startProgressLog();
      logger.info({ projector: projector.name, topics, group: options.consumerGroup, deadLetterTopic: options.deadLetterTopic }, 'projector started');
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      stopSignal.abort();
      health.stopped();
      publish();
      if (progressTimer) clearInterval(progressTimer);
      clearTimeout(restartTimer);
      await probe?.stop();
      // consumer.disconnect stops fetching and waits for the batch in flight (the applier ends it at a chunk boundary).
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
      logger.info({ totals: applier.totals }, 'projector stopped');
    },
  };
}
