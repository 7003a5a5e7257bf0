/**
 * The pipeline's names that more than the projector process needs (the `strangler cdc` commands, tests, benches):
 * which monolith tables each projector consumes, and the default consumer group and dead-letter topic of each.
 */
export const PROJECTED_TABLES = {
  users: ['users'],
  catalog: ['products', 'inventory'],
} as const satisfies Record<string, readonly string[]>;

export type ProjectorName = keyof typeof PROJECTED_TABLES;
export const PROJECTOR_NAMES = Object.keys(PROJECTED_TABLES) as [ProjectorName, ...ProjectorName[]];

export const DEFAULT_GROUP_PREFIX = 'strangler-projector';

/** Also the projector's default Kafka client id, and the key of its applied positions. */
export function defaultConsumerGroup(projector: ProjectorName, groupPrefix = DEFAULT_GROUP_PREFIX): string {
  return `${groupPrefix}-${projector}`;
}

export function deadLetterTopic(topicPrefix: string, projector: ProjectorName): string {
  return `${topicPrefix}.dead-letter.${projector}`;
}
