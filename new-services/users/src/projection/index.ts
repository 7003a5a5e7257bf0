/**
 * The write side a CDC projector uses to keep this service's accounts in step with the monolith's `users` table.
 * It is the only part of the service other packages may import (dependency-cruiser enforces it): the projector
 * passes its own transaction, so the change and the Kafka position it came from commit together.
 */
import type { Knex } from '@strangler/platform';
import { KnexUsersProjection } from './users-projection.js';
import type { LegacyUsersProjection } from './users-projection-type.js';

export { ProjectionConflictError, type LegacyUserRow, type LegacyUsersProjection, type UpsertResult } from './users-projection-type.js';
// The accounts' vocabulary a projected row is written in (the contracts' provider states seed rows the same way).
export { normalizeEmail, USER_STATUSES, type UserStatus } from '../features/users/users-store-type.js';

/** The projection on `db`, which may be a transaction. */
export function legacyUsersProjection(db: Knex): LegacyUsersProjection {
  return new KnexUsersProjection(db);
}
