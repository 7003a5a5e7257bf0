import type { User, UserStatus } from '../features/users/users-store-type.js';

/** One row of the monolith's `users` table, as a CDC projector delivers it. */
export interface LegacyUserRow {
  legacyId: number;
  email: string;
  fullName: string;
  status: UserStatus;
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface UpsertResult {
  /** `unchanged` for a replay of what is already stored: nothing was written and the version stayed. */
  outcome: 'inserted' | 'updated' | 'unchanged';
  user: User;
}

/**
 * A legacy row that cannot be projected without overwriting a different account: its email (normalised) or its id
 * already belongs to an account that is not linked to this legacy id. Retrying will not help; it needs a human.
 */
export class ProjectionConflictError extends Error {
  constructor(
    readonly legacyId: number,
    readonly conflictingId: number,
    readonly reason: 'EMAIL' | 'ID',
  ) {
    super(
      reason === 'EMAIL'
        ? `legacy user ${legacyId}: its email already belongs to account ${conflictingId}`
        : `legacy user ${legacyId}: account id ${conflictingId} is taken by an account not linked to it`,
    );
    this.name = 'ProjectionConflictError';
  }
}

/**
 * The write side a CDC projector uses to keep the accounts in step with the monolith's `users` table, on the same
 * `accounts` the users store serves (same semantics: emails unique by `normalizeEmail`, every change bumps `version`).
 * `upsertFromLegacy` is idempotent: replaying a row changes nothing (same version), a different row bumps the version once.
 */
export interface LegacyUsersProjection {
  /**
   * Creates or updates the account linked to `row.legacyId` (its id is the legacy id). Throws ProjectionConflictError
   * instead of touching an account that is not linked to this legacy id.
   */
  upsertFromLegacy(row: LegacyUserRow): Promise<UpsertResult>;
  /** Removes the account linked to this legacy id; false when there is none (a replayed delete). */
  deleteByLegacyId(legacyId: number): Promise<boolean>;
}
