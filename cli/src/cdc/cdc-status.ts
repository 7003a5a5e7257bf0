import { changeTopic, deadLetterTopic, defaultConsumerGroup, LEGACY_CONNECTOR_NAME } from '@strangler/cdc/connect';
import { CliError, EXIT_FAILURE, STACK_HINT } from '../cli-error.js';
import type { BackendHealth, CliDeps } from '../cli-deps.js';
import { KafkaUnreachableError, type KafkaOffsets } from '../kafka-offsets.js';
import { histogramBuckets, histogramQuantile, parsePrometheusText, sumSamples } from '../prometheus.js';
import type { CdcDeps, CdcProjector } from './cdc-deps.js';
import { connectorFailure, readConnector, type ConnectorReport, type ReportError } from './connector-report.js';

export interface PartitionLag {
  topic: string;
  partition: number;
  /** The group's committed offset (next record to read); null: never committed, everything retained is lag. */
  committed: number | null;
  /** The high watermark: offset of the next record written. */
  end: number;
  lag: number;
}

export interface ProjectorReport {
  name: string;
  url: string;
  process: BackendHealth;
  group: string;
  topics: string[];
  /** Topics that do not exist yet (Debezium creates one on the table's first change event). */
  missingTopics: string[];
  partitions: PartitionLag[];
  /** Sum of the partitions' lag; null when Kafka could not be asked. */
  offsetLag: number | null;
  /** From the cdc_event_lag_seconds histogram (apply time − source.ts_ms), in seconds; null without the metrics. */
  eventLag: { p50: number | null; p99: number | null; observations: number } | null;
  /** Sum of cdc_records_applied_total since the process started; null without the metrics. */
  applied: number | null;
  deadLetterTopic: string;
  /** Records in the dead-letter topic (0 when it does not exist); null when Kafka could not be asked. */
  deadLetters: number | null;
  /** Why Kafka offsets or metrics are missing, when the rest answered. */
  errors: string[];
}

export interface CdcStatusReport {
  connector: ConnectorReport;
  kafka: { brokers: string[]; reachable: boolean; error?: ReportError };
  projectors: ProjectorReport[];
}

/** The metric names the projectors expose (cdc/src/runtime/metrics.ts). */
export const CDC_METRICS = {
  eventLag: 'cdc_event_lag_seconds',
  applied: 'cdc_records_applied_total',
} as const;

async function readProjectorMetrics(cdc: CdcDeps, url: string): Promise<{ eventLag: ProjectorReport['eventLag']; applied: number | null; error?: string; answered: boolean }> {
  const scrape = await cdc.scrape(url);
  if (!scrape.ok) return { eventLag: null, applied: null, error: `/metrics: ${scrape.detail}`, answered: false };
  try {
    const samples = parsePrometheusText(scrape.text);
    const buckets = histogramBuckets(samples, CDC_METRICS.eventLag);
    const observations = buckets.find((bucket) => bucket.le === Number.POSITIVE_INFINITY)?.count ?? 0;
    return {
      eventLag: { p50: histogramQuantile(0.5, buckets), p99: histogramQuantile(0.99, buckets), observations },
      applied: sumSamples(samples, CDC_METRICS.applied) ?? 0,
      answered: true,
    };
  } catch (error) {
    return { eventLag: null, applied: null, error: `/metrics unreadable: ${error instanceof Error ? error.message : String(error)}`, answered: true };
  }
}

async function readProjectorOffsets(
  kafka: KafkaOffsets,
  existing: ReadonlySet<string> | undefined,
  group: string,
  topics: readonly string[],
  deadLetterTopic: string,
): Promise<Pick<ProjectorReport, 'missingTopics' | 'partitions' | 'offsetLag' | 'deadLetters'> & { error?: string }> {
  if (!existing) return { missingTopics: [], partitions: [], offsetLag: null, deadLetters: null };
  const present = topics.filter((topic) => existing.has(topic));
  const missingTopics = topics.filter((topic) => !existing.has(topic));
  try {
    const [committed, watermarks, deadLetterMarks] = await Promise.all([
      kafka.committed(group, present),
      Promise.all(present.map(async (topic) => ({ topic, partitions: await kafka.watermarks(topic) }))),
      existing.has(deadLetterTopic) ? kafka.watermarks(deadLetterTopic) : Promise.resolve([]),
    ]);
    const partitions = watermarks.flatMap(({ topic, partitions: marks }) =>
      marks.map((mark): PartitionLag => {
        const offset = committed.find((c) => c.topic === topic && c.partition === mark.partition)?.offset ?? null;
        // Records below the low watermark are gone: a committed offset before it counts from there.
        return { topic, partition: mark.partition, committed: offset, end: mark.high, lag: Math.max(0, mark.high - Math.max(offset ?? mark.low, mark.low)) };
      }),
    );
    return {
      missingTopics,
      partitions,
      offsetLag: partitions.reduce((sum, p) => sum + p.lag, 0),
      deadLetters: deadLetterMarks.reduce((sum, p) => sum + Math.max(0, p.high - p.low), 0),
    };
  } catch (error) {
    return { missingTopics, partitions: [], offsetLag: null, deadLetters: null, error: `Kafka: ${error instanceof Error ? error.message : String(error)}` };
  }
}

export function projectorNames(cdc: Pick<CdcDeps, 'topicPrefix' | 'sourceDatabase' | 'groupPrefix'>, projector: CdcProjector) {
  return {
    group: defaultConsumerGroup(projector.name, cdc.groupPrefix),
    topics: projector.tables.map((table) => changeTopic(cdc.topicPrefix, cdc.sourceDatabase, table)),
    deadLetterTopic: deadLetterTopic(cdc.topicPrefix, projector.name),
  };
}

/**
 * The CDC pipeline at a glance: the connector and its tasks in Kafka Connect, and per projector its process, its
 * consumer group's offset lag, its event-time lag and its dead letters. What does not answer is shown, not thrown;
 * only when nothing answers at all is it an error.
 */
export async function cdcStatusCommand(deps: CliDeps, options: { connector?: string } = {}): Promise<CdcStatusReport> {
  const cdc = deps.cdc();
  const kafka = cdc.kafka();
  try {
    const [connector, topics] = await Promise.all([
      readConnector(cdc.connect, options.connector ?? LEGACY_CONNECTOR_NAME),
      kafka.topics().then(
        (list) => ({ existing: new Set(list) }) as const,
        (error: unknown) => ({ error: { code: error instanceof KafkaUnreachableError ? error.code : 'KAFKA_ERROR', message: error instanceof Error ? error.message : String(error) } }) as const,
      ),
    ]);
    const existing = 'existing' in topics ? topics.existing : undefined;
    const answered: boolean[] = [];
    const projectors = await Promise.all(
      cdc.projectors.map(async (spec): Promise<ProjectorReport> => {
        const url = cdc.projectorUrls[spec.name];
        if (url === undefined) throw new Error(`no /ready and /metrics URL for projector "${spec.name}"`);
        const names = projectorNames(cdc, spec);
        const [process, metrics, offsets] = await Promise.all([
          deps.probe(url),
          readProjectorMetrics(cdc, url),
          readProjectorOffsets(kafka, existing, names.group, names.topics, names.deadLetterTopic),
        ]);
        answered.push(process.status === 'up' || metrics.answered);
        const errors = [...(offsets.error ? [offsets.error] : []), ...(metrics.error && process.status === 'up' ? [metrics.error] : [])];
        return {
          name: spec.name,
          url,
          process,
          ...names,
          missingTopics: offsets.missingTopics,
          partitions: offsets.partitions,
          offsetLag: offsets.offsetLag,
          eventLag: metrics.eventLag,
          applied: metrics.applied,
          deadLetters: offsets.deadLetters,
          errors,
        };
      }),
    );
    const report: CdcStatusReport = {
      connector,
      kafka: { brokers: [...cdc.kafkaBrokers], reachable: existing !== undefined, ...('error' in topics ? { error: topics.error } : {}) },
      projectors,
    };
    if (connector.error?.code === 'CONNECT_UNREACHABLE' && !existing && !answered.includes(true)) {
      const projectorList = projectors.map((p) => `${p.name} ${p.url}`).join(', ');
      throw new CliError(
        EXIT_FAILURE,
        'CONNECT_UNREACHABLE',
        `nothing of the CDC pipeline answers: ${connector.error.message.replace(`; ${STACK_HINT}`, '')}, nor Kafka at ${cdc.kafkaBrokers.join(',')}, nor the projectors (${projectorList}); ${STACK_HINT}`,
        { connectUrl: connector.connectUrl, kafkaBrokers: [...cdc.kafkaBrokers], projectors: projectors.map((p) => ({ name: p.name, url: p.url })) },
      );
    }
    return report;
  } finally {
    await kafka.close().catch(() => undefined);
  }
}

/** Exit 1 when the connector or a task FAILED or Connect could not say; 0 otherwise (a down projector is shown). */
export function cdcStatusFailure(report: CdcStatusReport): CliError | undefined {
  return connectorFailure(report.connector);
}
