import { Kafka, logLevel, type Admin } from 'kafkajs';

/** A partition's first retained offset (low) and the offset the next record will get (high watermark). */
export interface PartitionWatermarks {
  partition: number;
  low: number;
  high: number;
}

/** A consumer group's committed offset (the next record it will read); null when it never committed one. */
export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number | null;
}

/** What `strangler cdc status` reads from Kafka; the unit tests use an in-memory fake of it. */
export interface KafkaOffsets {
  /** Every topic that exists. Throws KafkaUnreachableError when no broker answers. */
  topics(): Promise<string[]>;
  /** Watermarks of each partition of an existing topic. */
  watermarks(topic: string): Promise<PartitionWatermarks[]>;
  /** The group's committed offset on every partition of the given (existing) topics. */
  committed(groupId: string, topics: readonly string[]): Promise<CommittedOffset[]>;
  close(): Promise<void>;
}

export class KafkaUnreachableError extends Error {
  readonly code = 'KAFKA_UNREACHABLE';
  constructor(
    readonly brokers: readonly string[],
    cause: unknown,
  ) {
    super(`Kafka is not reachable at ${brokers.join(',')} (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
    this.name = 'KafkaUnreachableError';
  }
}

/** kafkajs's admin client, quiet (its logger would write to stdout) and failing fast when the broker is down. */
export function kafkaAdminOffsets(options: { brokers: readonly string[]; connectionTimeoutMs: number; requestTimeoutMs: number }): KafkaOffsets {
  const kafka = new Kafka({
    clientId: 'strangler-cli',
    brokers: [...options.brokers],
    connectionTimeout: options.connectionTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
    logLevel: logLevel.NOTHING,
  });
  let admin: Admin | undefined;
  const connected = async (): Promise<Admin> => {
    if (admin) return admin;
    const client = kafka.admin();
    try {
      await client.connect();
    } catch (error) {
      throw new KafkaUnreachableError(options.brokers, error);
    }
    admin = client;
    return client;
  };
  return {
    async topics() {
      const client = await connected();
      try {
        return await client.listTopics();
      } catch (error) {
        throw new KafkaUnreachableError(options.brokers, error);
      }
    },
    async watermarks(topic) {
      const offsets = await (await connected()).fetchTopicOffsets(topic);
      return offsets.map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) })).sort((a, b) => a.partition - b.partition);
    },
    async committed(groupId, topics) {
      if (topics.length === 0) return [];
      const groups = await (await connected()).fetchOffsets({ groupId, topics: [...topics] });
      return groups.flatMap(({ topic, partitions }) =>
        partitions.map((p) => ({ topic, partition: p.partition, offset: Number(p.offset) >= 0 ? Number(p.offset) : null })),
      );
    },
    async close() {
      await admin?.disconnect();
      admin = undefined;
    },
  };
}
