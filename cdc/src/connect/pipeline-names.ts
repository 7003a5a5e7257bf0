import type { SliceManifest } from '@strangler/platform/slices';

/**
 * The pipeline's names that more than the projector process needs (the `strangler cdc` commands, tests, benches):
 * which monolith tables a slice's projector consumes, and the default consumer group and dead-letter topic of each.
 */

/** The legacy tables a slice's projector consumes: its manifest's `tables[].legacy`, once each. */
export function projectedTables(slice: Pick<SliceManifest, 'tables'>): string[] {
  return [...new Set(slice.tables.map((table) => table.legacy))];
}

export const DEFAULT_GROUP_PREFIX = 'strangler-projector';

/** Also the projector's default Kafka client id, and the key of its applied positions. */
export function defaultConsumerGroup(projector: string, groupPrefix = DEFAULT_GROUP_PREFIX): string {
  return `${groupPrefix}-${projector}`;
}

export function deadLetterTopic(topicPrefix: string, projector: string): string {
  return `${topicPrefix}.dead-letter.${projector}`;
}
