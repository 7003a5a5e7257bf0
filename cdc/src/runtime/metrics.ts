import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface CdcMetrics {
  /** High watermark − 1 − last applied offset: records in Kafka not yet in the target. */
  offsetLag: Gauge<'topic' | 'partition'>;
  /** Apply time − source.ts_ms (binlog time; whole seconds on MariaDB). */
  eventLag: Histogram<'projector' | 'table'>;
  /** Apply time − the row's updated_at (millisecond resolution), for streamed inserts and updates that carry one. */
  rowLag: Histogram<'projector' | 'table'>;
  applied: Counter<'projector' | 'table' | 'op' | 'outcome'>;
  /** Records skipped because the target already holds them (offset ≤ the stored position): redelivery. */
  replayed: Counter<'projector' | 'topic'>;
  /** Records that could not be applied (poison), by error code; each one went to the dead-letter topic. */
  failed: Counter<'projector' | 'table' | 'code'>;
  /** Dead letters produced (a retried batch may produce one again). */
  deadLetters: Counter<'projector'>;
  /** Batch transactions rolled back and retried, by reason (transient error code, or `unknown`). */
  retries: Counter<'projector' | 'reason'>;
  /** One database transaction of up to MAX_RECORDS_PER_TRANSACTION records, dead letters included. */
  batchDuration: Histogram<'projector'>;
  /** 1 while the consumer is a positioned member of its group and the broker answers: changes are being applied. */
  consuming: Gauge;
  /** 1 while the broker answers the probe, 0 while it does not (and before the first answer). */
  kafkaReachable: Gauge;
  /** The consumer restarted by the runtime after kafkajs gave up on it. */
  consumerRestarts: Counter;
  /** Outages (Kafka unreachable or the consumer crashed) that ended, and how long the last one lasted. */
  outages: Counter;
  lastOutageSeconds: Gauge;
}

const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600];

export function createCdcMetrics(registry: Registry): CdcMetrics {
  const registers = [registry];
  return {
    offsetLag: new Gauge({ name: 'cdc_consumer_offset_lag', help: 'Records in the partition not yet applied to the target', labelNames: ['topic', 'partition'], registers }),
    eventLag: new Histogram({
      name: 'cdc_event_lag_seconds',
      help: 'Time from the change in the monolith (binlog time, whole seconds) to its apply in the target',
      labelNames: ['projector', 'table'],
      buckets: LAG_BUCKETS,
      registers,
    }),
    rowLag: new Histogram({
      name: 'cdc_row_lag_seconds',
      help: "Time from the row's updated_at (milliseconds) to its apply in the target, for streamed inserts and updates",
      labelNames: ['projector', 'table'],
      buckets: LAG_BUCKETS,
      registers,
    }),
    applied: new Counter({
      name: 'cdc_records_applied_total',
      help: 'Change records applied to the target, by outcome (inserted, updated, unchanged, stale, deleted, absent, tombstone)',
      labelNames: ['projector', 'table', 'op', 'outcome'],
      registers,
    }),
    replayed: new Counter({
      name: 'cdc_records_replayed_total',
      help: 'Redelivered records skipped because the target already holds them',
      labelNames: ['projector', 'topic'],
      registers,
    }),
    failed: new Counter({
      name: 'cdc_records_failed_total',
      help: 'Records that cannot be applied (sent to the dead-letter topic), by error code',
      labelNames: ['projector', 'table', 'code'],
      registers,
    }),
    deadLetters: new Counter({ name: 'cdc_dead_letters_total', help: 'Dead letters produced', labelNames: ['projector'], registers }),
    retries: new Counter({
      name: 'cdc_batch_retries_total',
      help: 'Batch transactions rolled back and retried after a transient (or unrecognised) error',
      labelNames: ['projector', 'reason'],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'cdc_batch_duration_seconds',
      help: 'Duration of one batch transaction',
      labelNames: ['projector'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    consuming: new Gauge({ name: 'cdc_consumer_consuming', help: '1 while the consumer is a positioned group member and Kafka answers', registers }),
    kafkaReachable: new Gauge({ name: 'cdc_kafka_reachable', help: '1 while the Kafka broker answers the probe', registers }),
    consumerRestarts: new Counter({ name: 'cdc_consumer_restarts_total', help: 'Consumer restarts after kafkajs gave up on it (broker down, coordinator lost)', registers }),
    outages: new Counter({ name: 'cdc_consumer_outages_total', help: 'Periods without consuming (Kafka unreachable or the consumer crashed) that ended', registers }),
    lastOutageSeconds: new Gauge({ name: 'cdc_consumer_last_outage_seconds', help: 'How long the last ended outage lasted', registers }),
  };
}
