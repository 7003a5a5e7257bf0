/**
 * The write side a CDC projector uses to keep this service's accounts in step with the monolith's `users` table.
 * It is the only part of the service other packages may import (dependency-cruiser enforces it): the projector
 * passes its own transaction, so the change and the Kafka position it came from commit together.
 */
import type { Knex } from '@strangler/platform';
import { KnexUsersStore } from './features/users/users-store.js';
import type { LegacyUserRow, UpsertResult } from './features/users/users-store-type.js';

export { ProjectionConflictError, USER_STATUSES, type LegacyUserRow, type UpsertResult, type UserStatus } from './features/users/users-store-type.js';

export interface LegacyUsersProjection {
  upsertFromLegacy(row: LegacyUserRow): Promise<UpsertResult>;
  deleteByLegacyId(legacyId: number): Promise<boolean>;
}

/** The projection on `db`, which may be a transaction. */
export function legacyUsersProjection(db: Knex): LegacyUsersProjection {
  return new KnexUsersStore(db);
}
