import { ConnectUnavailableError, type ConnectorConfig, type ConnectorStatus, type LegacyConnectorSettings } from '@strangler/cdc/connect';
import type { CdcConnect, CdcDeps, MetricsScrape } from '../cdc/cdc-deps.js';
import { KafkaUnreachableError, type CommittedOffset, type KafkaOffsets, type PartitionWatermarks } from '../kafka-offsets.js';

/** In-memory Kafka Connect: connectors by name, each PUT recorded, and a switch to be unreachable. */
export class FakeConnect implements CdcConnect {
  readonly url = 'http://connect.test';
  readonly statuses = new Map<string, ConnectorStatus>();
  readonly puts: Array<{ name: string; config: ConnectorConfig }> = [];
  unreachable = false;
  /** Statuses the next reads return in turn (the last one stays), to play a connector starting up. */
  upcoming: Array<ConnectorStatus | undefined> = [];
  statusReads = 0;

  private check(): void {
    if (this.unreachable) throw new ConnectUnavailableError(this.url, new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
  }

  async connectorStatus(name: string): Promise<ConnectorStatus | undefined> {
    this.check();
    this.statusReads += 1;
    if (this.upcoming.length > 0) {
      const next = this.upcoming.length > 1 ? this.upcoming.shift() : this.upcoming[0];
      return next;
    }
    return this.statuses.get(name);
  }

  async putConnectorConfig(name: string, config: ConnectorConfig): Promise<{ created: boolean }> {
    this.check();
    this.puts.push({ name, config });
    const created = !this.statuses.has(name);
    if (created) this.statuses.set(name, runningConnector(name));
    return { created };
  }
}

export function runningConnector(name: string, tasks = 1): ConnectorStatus {
  return {
    name,
    type: 'source',
    connector: { state: 'RUNNING', worker_id: '127.0.0.1:8083' },
    tasks: Array.from({ length: tasks }, (_, id) => ({ id, state: 'RUNNING' as const, worker_id: '127.0.0.1:8083' })),
  };
}

/** In-memory Kafka: topics with their partitions' watermarks, groups' committed offsets, a switch to be down. */
export class FakeKafka implements KafkaOffsets {
  readonly brokers = ['kafka.test:9092'];
  unreachable = false;
  closed = 0;

  constructor(
    readonly topicsByName: Record<string, PartitionWatermarks[]> = {},
    /** group → topic → partition → committed offset */
    readonly groups: Record<string, Record<string, Record<number, number>>> = {},
  ) {}

  async topics(): Promise<string[]> {
    if (this.unreachable) throw new KafkaUnreachableError(this.brokers, new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'));
    return Object.keys(this.topicsByName);
  }

  async watermarks(topic: string): Promise<PartitionWatermarks[]> {
    const partitions = this.topicsByName[topic];
    if (!partitions) throw new Error(`This server does not host this topic-partition (${topic})`);
    return partitions;
  }

  async committed(groupId: string, topics: readonly string[]): Promise<CommittedOffset[]> {
    return topics.flatMap((topic) =>
      (this.topicsByName[topic] ?? []).map((p) => ({ topic, partition: p.partition, offset: this.groups[groupId]?.[topic]?.[p.partition] ?? null })),
    );
  }

  async close(): Promise<void> {
    this.closed += 1;
  }
}

export const FAKE_PROJECTOR_URLS = { users: 'http://users-projector.test', catalog: 'http://catalog-projector.test' } as const;

export interface FakeCdcOptions {
  connect?: FakeConnect;
  kafka?: FakeKafka;
  /** /metrics body per projector URL; a missing URL does not answer. */
  metrics?: Record<string, string>;
  /** When the stack never wrote the password file: what connectorSettings() throws. */
  settingsError?: Error;
}

/** CdcDeps on fakes, with the stack's default names (prefix legacy, database legacy, groups strangler-projector-*). */
export function fakeCdcDeps(options: FakeCdcOptions = {}): CdcDeps & { connect: FakeConnect; fakeKafka: FakeKafka; sleeps: number[] } {
  const connect = options.connect ?? new FakeConnect();
  const kafka = options.kafka ?? new FakeKafka();
  const sleeps: number[] = [];
  return {
    kafkaBrokers: kafka.brokers,
    topicPrefix: 'legacy',
    sourceDatabase: 'legacy',
    groupPrefix: 'strangler-projector',
    projectors: [
      { name: 'users', tables: ['users'] },
      { name: 'catalog', tables: ['products', 'inventory'] },
    ],
    projectorUrls: { ...FAKE_PROJECTOR_URLS },
    connect,
    fakeKafka: kafka,
    sleeps,
    kafka: () => kafka,
    scrape: async (url): Promise<MetricsScrape> => {
      const text = options.metrics?.[url];
      return text === undefined ? { ok: false, detail: 'ECONNREFUSED' } : { ok: true, text };
    },
    connectorSettings(): LegacyConnectorSettings {
      if (options.settingsError) throw options.settingsError;
      return {
        mariadb: { host: '127.0.0.1', port: 3307, user: 'cdc' },
        passwordReference: '${file:/stack/kafka-connect/secrets/mariadb-cdc.properties:password}',
        kafkaBootstrap: kafka.brokers.join(','),
      };
    },
    registerWaitMs: 2000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
}
