import { Kafka, logLevel, type Admin } from 'kafkajs';

export interface KafkaProbe {
  /** Stops probing and disconnects. */
  stop(): Promise<void>;
}

export interface KafkaProbeOptions {
  brokers: string[];
  clientId: string;
  intervalMs: number;
  /** Called with every answer: reachable, or not and why. */
  report(reachable: boolean, error?: unknown): void;
}

/**
 * Asks the broker for its cluster metadata every `intervalMs`, on a client of its own with no retries: the consumer's
 * own retries hide an outage for several seconds, this tells within one interval whether Kafka answers at all.
 */
export function startKafkaProbe(options: KafkaProbeOptions): KafkaProbe {
  const admin: Admin = new Kafka({
    brokers: options.brokers,
    clientId: `${options.clientId}-probe`,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 3_000,
    requestTimeout: 5_000,
  }).admin();
  let stopped = false;
  let inFlight: Promise<void> | undefined;

  const probe = async () => {
    try {
      // connect is a no-op while connected; after the broker went away it reconnects.
      await admin.connect();
      const cluster = await admin.describeCluster();
      if (!stopped) options.report(cluster.brokers.length > 0);
    } catch (error) {
      if (!stopped) options.report(false, error);
    }
  };
  const tick = () => {
    if (stopped || inFlight) return;
    inFlight = probe().finally(() => (inFlight = undefined));
  };
  tick();
  const timer = setInterval(tick, options.intervalMs);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
      await admin.disconnect().catch(() => undefined);
    },
  };
}
