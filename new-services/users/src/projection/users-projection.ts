import type { Knex } from '@strangler/platform';
import { PUBLIC_COLUMNS, TABLE, toUser, type AccountRow, type PublicAccountRow } from '../features/users/account-row.js';
import { normalizeEmail } from '../features/users/users-store-type.js';
import { ProjectionConflictError, type LegacyUserRow, type LegacyUsersProjection, type UpsertResult } from './users-projection-type.js';

/*
 * The projector's write. Keyed by the row's id (= legacy id, also unique as legacy_id); the pre-check in
 * upsertFromLegacy guarantees the email key can only collide with that same row, so ON DUPLICATE KEY UPDATE never
 * lands on another account. `version` is assigned first so it compares the old values (MariaDB evaluates the
 * assignments left to right); BINARY makes a change of letter case or trailing spaces count as a change.
 */
const UPSERT_FROM_LEGACY = `
  INSERT INTO ${TABLE} (id, legacy_id, email, email_normalized, display_name, status, password_hash, version, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
  ON DUPLICATE KEY UPDATE
    version = IF(
      BINARY email <=> BINARY VALUES(email)
        AND BINARY display_name <=> BINARY VALUES(display_name)
        AND status <=> VALUES(status)
        AND BINARY password_hash <=> BINARY VALUES(password_hash)
        AND created_at <=> VALUES(created_at)
        AND updated_at <=> VALUES(updated_at),
      version,
      version + 1),
    email = VALUES(email),
    email_normalized = VALUES(email_normalized),
    display_name = VALUES(display_name),
    status = VALUES(status),
    password_hash = VALUES(password_hash),
    created_at = VALUES(created_at),
    updated_at = VALUES(updated_at)`;

/** The projection on `db`, which may be the projector's transaction. */
export class KnexUsersProjection implements LegacyUsersProjection {
  constructor(private readonly db: Knex) {}

  async upsertFromLegacy(legacy: LegacyUserRow): Promise<UpsertResult> {
    const id = legacy.legacyId;
    const emailKey = normalizeEmail(legacy.email);
    // On the caller's transaction (the CDC projector's batch) run in it directly: a nested transaction would only add
    // a savepoint round trip per row, and the caller already undoes a failed record by its own savepoint.
    const inTransaction = <T>(work: (trx: Knex.Transaction) => Promise<T>) =>
      this.db.isTransaction ? work(this.db as Knex.Transaction) : this.db.transaction(work);
    return inTransaction(async (trx) => {
      // Lock every row the INSERT could collide with; any that is not "this legacy user's account" is a conflict.
      const holders = (await trx(TABLE)
        .select('id', 'legacy_id', 'email_normalized', 'version')
        .where({ id })
        .orWhere({ legacy_id: id })
        .orWhere({ email_normalized: emailKey })
        .forUpdate()) as Array<Pick<AccountRow, 'id' | 'legacy_id' | 'email_normalized' | 'version'>>;
      const current = holders.find((row) => row.id === id);
      if (current && current.legacy_id !== id) throw new ProjectionConflictError(id, current.id, 'ID');
      // A different row with this legacy_id cannot exist (id = legacy_id for every projected row), so anything else holds the email.
      const other = holders.find((row) => row.id !== id);
      if (other) throw new ProjectionConflictError(id, other.id, other.email_normalized === emailKey ? 'EMAIL' : 'ID');

      await trx.raw(UPSERT_FROM_LEGACY, [
        id,
        id,
        legacy.email,
        emailKey,
        legacy.fullName,
        legacy.status,
        legacy.passwordHash,
        legacy.createdAt,
        legacy.updatedAt,
      ]);
      const row = (await trx(TABLE).select(PUBLIC_COLUMNS).where({ id }).first()) as PublicAccountRow | undefined;
      if (!row) throw new Error(`account ${id} vanished right after its upsert`);
      const user = toUser(row);
      const outcome = !current ? 'inserted' : user.version !== current.version ? 'updated' : 'unchanged';
      return { outcome, user };
    });
  }

  async deleteByLegacyId(legacyId: number): Promise<boolean> {
    const deleted = await this.db(TABLE).where({ legacy_id: legacyId }).delete();
    return deleted > 0;
  }
}
