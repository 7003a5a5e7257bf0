import { Kafka, logLevel as KafkaLogLevel, Partitioners, type Admin, type Consumer, type EachBatchPayload, type LogEntry, type Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { Knex, Logger } from '@strangler/platform';
import type { Projector } from '../projectors/projector.js';
import { BatchApplier } from './batch-applier.js';
import { kafkaDeadLetterSink } from './dead-letters.js';
import { isRetriableKafkaError, retryTransient } from './retry-transient.js';
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
}

export interface ProjectorRuntime {
  readonly metrics: CdcMetrics;
  /** Creates what it needs (positions table, missing topics), joins the group and starts applying. */
  start(): Promise<void>;
  /** Stops fetching, lets the batch in flight finish and commit, leaves the group, disconnects. Idempotent. */
  stop(): Promise<void>;
  /** Joined the group and positioned every assigned partition at its stored offset. */
  isReady(): boolean;
  /** Rejects if the consumer fails for good (kafkajs gave up restarting it): the process should exit non-zero. */
  readonly failed: Promise<never>;
}

/** The change topic Debezium writes a table of the monolith to. */
export function changeTopic(prefix: string, database: string, table: string): string {
  return `${prefix}.${database}.${table}`;
}

function kafkaLogger(logger: Logger) {
  const child = logger.child({ component: 'kafkajs' });
  return () =>
    ({ level, log }: LogEntry) => {
      const { message, ...extra } = log;
      if (level === KafkaLogLevel.ERROR) child.error(extra, message);
      else if (level === KafkaLogLevel.WARN) child.warn(extra, message);
      else if (level === KafkaLogLevel.INFO) child.info(extra, message);
      else child.debug(extra, message);
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

  const kafka = new Kafka({
    clientId: options.kafkaClientId,
    brokers: options.kafkaBrokers,
    logLevel: logger.isLevelEnabled('debug') ? KafkaLogLevel.INFO : KafkaLogLevel.WARN,
    logCreator: kafkaLogger(logger),
  });
  const admin: Admin = kafka.admin();
  const producer: Producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  const consumer: Consumer = kafka.consumer({
    groupId: options.consumerGroup,
    maxBytesPerPartition: options.maxBytesPerPartition,
    allowAutoTopicCreation: false,
  });

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

  let ready = false;
  let stopping = false;
  let started = false;
  let progressTimer: NodeJS.Timeout | undefined;
  // Batches wait for the seek of the current assignment: no record is applied from a position the database did not choose.
  let positioned: Promise<void> = Promise.resolve();
  let generation = 0;
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined);

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
        ready = true;
        return;
      } catch (error) {
        if (stopping) return;
        logger.warn({ err: error, retryInMs: delay }, 'could not read the stored positions; retrying');
        await new Promise((resolve) => setTimeout(resolve, delay));
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
   * retriable error (UNKNOWN_TOPIC_OR_PARTITION), which must not stop the projector.
   */
  async function ensureTopics(): Promise<void> {
    await retryTransient(
      async () => {
        const existing = new Set(await admin.listTopics());
        const missing = [...topics, options.deadLetterTopic].filter((topic) => !existing.has(topic));
        if (missing.length === 0) return;
        await admin.createTopics({ topics: missing.map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
        logger.info({ topics: missing }, 'created missing topics');
      },
      {
        isTransient: isRetriableKafkaError,
        initialMs: options.retryInitialMs,
        maxMs: options.retryMaxMs,
        attempts: 10,
        onRetry: (error, retryInMs) => logger.warn({ err: error, retryInMs }, 'change topics not ready yet; retrying'),
      },
    );
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
    isReady: () => ready && !stopping,
    async start() {
      if (started) throw new Error('the runtime was already started');
      started = true;
      await migrateCdcSchema(options.db);
      await admin.connect();
      await ensureTopics();
      await producer.connect();
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        ready = false;
        generation++;
        positioned = seekAssigned(event.payload.memberAssignment, generation);
      });
      consumer.on(consumer.events.REBALANCING, () => {
        ready = false;
      });
      consumer.on(consumer.events.CRASH, (event) => {
        const { error, restart } = event.payload;
        ready = false;
        if (restart) {
          logger.warn({ err: error }, 'consumer crashed; kafkajs restarts it');
        } else {
          logger.error({ err: error }, 'consumer crashed and will not restart');
          fail(error);
        }
      });
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1, eachBatch });
      startProgressLog();
      logger.info({ projector: projector.name, topics, group: options.consumerGroup, deadLetterTopic: options.deadLetterTopic }, 'projector started');
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      ready = false;
      if (progressTimer) clearInterval(progressTimer);
      // consumer.disconnect stops fetching and waits for the batch in flight (the applier ends it at a chunk boundary).
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
      logger.info({ totals: applier.totals }, 'projector stopped');
    },
  };
}
