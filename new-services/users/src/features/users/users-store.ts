import type { Knex } from '@strangler/platform';
import {
  normalizeEmail,
  ProjectionConflictError,
  type LegacyUserRow,
  type NewUserRecord,
  type UpsertResult,
  type User,
  type UserChanges,
  type UserListQuery,
  type UserStatus,
  type UsersStore,
  type UserWithCredentials,
} from './users-store-type.js';

const TABLE = 'accounts';

interface AccountRow {
  id: number;
  legacy_id: number | null;
  email: string;
  email_normalized: string;
  display_name: string;
  status: UserStatus;
  password_hash: string;
  version: number;
  created_at: Date;
  updated_at: Date;
}

// The hash is only selected where a password has to be checked.
const PUBLIC_COLUMNS: string[] = ['id', 'email', 'display_name', 'status', 'version', 'created_at', 'updated_at'];

type PublicAccountRow = Pick<AccountRow, 'id' | 'email' | 'display_name' | 'status' | 'version' | 'created_at' | 'updated_at'>;

function toUser(row: PublicAccountRow): User {
  return {
    id: row.id,
    email: row.email,
    fullName: row.display_name,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

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

export class KnexUsersStore implements UsersStore {
  constructor(private readonly db: Knex) {}

  async insert(user: NewUserRecord): Promise<User> {
    const [id] = await this.db(TABLE).insert({
      email: user.email,
      email_normalized: normalizeEmail(user.email),
      display_name: user.fullName,
      password_hash: user.passwordHash,
      created_at: user.createdAt,
      updated_at: user.createdAt,
    });
    const created = await this.findById(Number(id));
    if (!created) throw new Error(`account ${String(id)} vanished right after insert`);
    return created;
  }

  async findById(id: number): Promise<User | undefined> {
    const row = (await this.db(TABLE).select(PUBLIC_COLUMNS).where({ id }).first()) as PublicAccountRow | undefined;
    return row ? toUser(row) : undefined;
  }

  async findCredentialsByEmail(email: string): Promise<UserWithCredentials | undefined> {
    const row = (await this.db(TABLE)
      .select([...PUBLIC_COLUMNS, 'password_hash'])
      .where({ email_normalized: normalizeEmail(email) })
      .first()) as (PublicAccountRow & Pick<AccountRow, 'password_hash'>) | undefined;
    return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
  }

  async list(query: UserListQuery): Promise<{ items: User[]; total: number }> {
    const filtered = (): Knex.QueryBuilder => {
      const builder = this.db(TABLE);
      if (query.email !== undefined) builder.where({ email_normalized: normalizeEmail(query.email) });
      return builder;
    };
    const [rows, counted] = await Promise.all([
      filtered().select(PUBLIC_COLUMNS).orderBy('id', 'asc').limit(query.limit).offset(query.offset),
      filtered().count({ total: '*' }).first(),
    ]);
    return {
      items: (rows as PublicAccountRow[]).map(toUser),
      total: Number((counted as { total: number | string } | undefined)?.total ?? 0),
    };
  }

  async update(id: number, changes: UserChanges): Promise<User | undefined> {
    const values: Record<string, unknown> = { updated_at: changes.updatedAt, version: this.db.raw('version + 1') };
    if (changes.email !== undefined) {
      values.email = changes.email;
      values.email_normalized = normalizeEmail(changes.email);
    }
    if (changes.fullName !== undefined) values.display_name = changes.fullName;
    if (changes.passwordHash !== undefined) values.password_hash = changes.passwordHash;
    if (changes.status !== undefined) values.status = changes.status;
    await this.db(TABLE).where({ id }).update(values);
    // Re-read rather than trusting affectedRows, which depends on the driver's found-rows flag.
    return this.findById(id);
  }

  async delete(id: number): Promise<boolean> {
    const deleted = await this.db(TABLE).where({ id }).delete();
    return deleted > 0;
  }

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
