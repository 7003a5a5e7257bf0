import {
  normalizeEmail,
  ProjectionConflictError,
  type LegacyUserRow,
  type NewUserRecord,
  type UpsertResult,
  type User,
  type UserChanges,
  type UserListQuery,
  type UsersStore,
  type UserWithCredentials,
} from './users-store-type.js';

/** Errors shaped like mysql2's, so the service handles the fake and the database the same way. */
function driverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

interface AccountRow extends UserWithCredentials {
  legacyId: number | null;
}

/**
 * In-memory UsersStore with the database's semantics: AUTO_INCREMENT ids (explicit ids move the counter past them),
 * a unique normalised email, version bumps on every change, idempotent legacy upserts.
 */
export class FakeUsersStore implements UsersStore {
  private readonly rows = new Map<number, AccountRow>();
  private nextId = 1;

  async insert(user: NewUserRecord): Promise<User> {
    this.assertEmailFree(user.email);
    const id = this.nextId++;
    const row: AccountRow = {
      id,
      legacyId: null,
      email: user.email,
      fullName: user.fullName,
      passwordHash: user.passwordHash,
      status: 'active',
      createdAt: new Date(user.createdAt),
      updatedAt: new Date(user.createdAt),
      version: 1,
    };
    this.rows.set(id, row);
    return publicCopy(row);
  }

  async findById(id: number): Promise<User | undefined> {
    const row = this.rows.get(id);
    return row ? publicCopy(row) : undefined;
  }

  async findCredentialsByEmail(email: string): Promise<UserWithCredentials | undefined> {
    const row = this.findRowByEmail(email);
    return row ? { ...publicCopy(row), passwordHash: row.passwordHash } : undefined;
  }

  async list(query: UserListQuery): Promise<{ items: User[]; total: number }> {
    const key = query.email === undefined ? undefined : normalizeEmail(query.email);
    const matching = [...this.rows.values()]
      .filter((row) => key === undefined || normalizeEmail(row.email) === key)
      .sort((a, b) => a.id - b.id);
    return { items: matching.slice(query.offset, query.offset + query.limit).map(publicCopy), total: matching.length };
  }

  async update(id: number, changes: UserChanges): Promise<User | undefined> {
    const row = this.rows.get(id);
    if (!row) return undefined;
    if (changes.email !== undefined) this.assertEmailFree(changes.email, id);
    if (changes.email !== undefined) row.email = changes.email;
    if (changes.fullName !== undefined) row.fullName = changes.fullName;
    if (changes.passwordHash !== undefined) row.passwordHash = changes.passwordHash;
    if (changes.status !== undefined) row.status = changes.status;
    row.updatedAt = new Date(changes.updatedAt);
    row.version += 1;
    return publicCopy(row);
  }

  async delete(id: number): Promise<boolean> {
    return this.rows.delete(id);
  }

  async upsertFromLegacy(legacy: LegacyUserRow): Promise<UpsertResult> {
    const id = legacy.legacyId;
    const byId = this.rows.get(id);
    if (byId && byId.legacyId !== id) throw new ProjectionConflictError(id, byId.id, 'ID');
    const byEmail = this.findRowByEmail(legacy.email);
    if (byEmail && byEmail.id !== id) throw new ProjectionConflictError(id, byEmail.id, 'EMAIL');

    const next = {
      email: legacy.email,
      fullName: legacy.fullName,
      status: legacy.status,
      passwordHash: legacy.passwordHash,
      createdAt: new Date(legacy.createdAt),
      updatedAt: new Date(legacy.updatedAt),
    };
    if (!byId) {
      const row: AccountRow = { id, legacyId: id, ...next, version: 1 };
      this.rows.set(id, row);
      this.nextId = Math.max(this.nextId, id + 1);
      return { outcome: 'inserted', user: publicCopy(row) };
    }
    const changed =
      byId.email !== next.email ||
      byId.fullName !== next.fullName ||
      byId.status !== next.status ||
      byId.passwordHash !== next.passwordHash ||
      byId.createdAt.getTime() !== next.createdAt.getTime() ||
      byId.updatedAt.getTime() !== next.updatedAt.getTime();
    if (!changed) return { outcome: 'unchanged', user: publicCopy(byId) };
    Object.assign(byId, next, { version: byId.version + 1 });
    return { outcome: 'updated', user: publicCopy(byId) };
  }

  async deleteByLegacyId(legacyId: number): Promise<boolean> {
    const row = [...this.rows.values()].find((candidate) => candidate.legacyId === legacyId);
    return row ? this.rows.delete(row.id) : false;
  }

  /** Test helper: the stored row including the hash and the legacy link, as a copy. */
  peek(id: number): (UserWithCredentials & { legacyId: number | null }) | undefined {
    const row = this.rows.get(id);
    return row ? { ...publicCopy(row), passwordHash: row.passwordHash, legacyId: row.legacyId } : undefined;
  }

  private findRowByEmail(email: string): AccountRow | undefined {
    const key = normalizeEmail(email);
    return [...this.rows.values()].find((row) => normalizeEmail(row.email) === key);
  }

  private assertEmailFree(email: string, exceptId?: number): void {
    const owner = this.findRowByEmail(email);
    if (owner && owner.id !== exceptId) {
      throw driverError('ER_DUP_ENTRY', `Duplicate entry '${normalizeEmail(email)}' for key 'accounts_email_normalized_unique'`);
    }
  }
}

function publicCopy(row: AccountRow): User {
  return {
    id: row.id,
    email: row.email,
    fullName: row.fullName,
    status: row.status,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
    version: row.version,
  };
}
