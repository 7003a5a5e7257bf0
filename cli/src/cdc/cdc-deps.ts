import { projectedTables, type ConnectClient, type LegacyConnectorSettings } from '@strangler/cdc/connect';
import type { LoadedSlice } from '@strangler/platform/slices';
import type { KafkaOffsets } from '../kafka-offsets.js';

/** A projector `cdc status` reports on, with the monolith tables it consumes. */
export interface CdcProjector {
  name: string;
  tables: readonly string[];
}

/** One per slice manifest: its projector and the legacy tables the manifest lists. */
export function cdcProjectors(slices: readonly LoadedSlice[]): CdcProjector[] {
  return slices.map((slice) => ({ name: slice.projector.name, tables: projectedTables(slice) }));
}

/** The MariaDB account Debezium captures with (the launcher's CDC_MARIADB_USER, stack/src/components/cdc.ts). */
export const CDC_MARIADB_USER = 'cdc';

export type CdcConnect = Pick<ConnectClient, 'url' | 'connectorStatus' | 'putConnectorConfig'>;

export type MetricsScrape = { ok: true; text: string } | { ok: false; detail: string };

export interface CdcDeps {
  kafkaBrokers: readonly string[];
  /** Change topics are <topicPrefix>.<sourceDatabase>.<table>; dead letters <topicPrefix>.dead-letter.<projector>. */
  topicPrefix: string;
  sourceDatabase: string;
  /** Consumer groups are <groupPrefix>-<projector>. */
  groupPrefix: string;
  projectors: readonly CdcProjector[];
  /** Per projector name, the base URL of its /ready and /metrics. */
  projectorUrls: Readonly<Record<string, string>>;
  connect: CdcConnect;
  /** A Kafka admin for one command; the command closes it. */
  kafka(): KafkaOffsets;
  /** GET <base>/metrics. */
  scrape(baseUrl: string): Promise<MetricsScrape>;
  /** Where and as whom the stack's connector connects; a CliError when the stack never wrote the password file. */
  connectorSettings(): LegacyConnectorSettings;
  registerWaitMs: number;
  sleep(ms: number): Promise<void>;
}
