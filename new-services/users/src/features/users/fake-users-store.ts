import {
  normalizeEmail,
  type NewUserRecord,
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

/** A row of the in-memory `accounts`; `legacyId` is set only by the projection (FakeUsersProjection). */
export interface AccountRow extends UserWithCredentials {
  legacyId: number | null;
}

/**
 * In-memory UsersStore with the database's semantics: AUTO_INCREMENT ids (explicit ids move the counter past them),
 * a unique normalised email, version bumps on every change. FakeUsersProjection adds the projection's writes.
 */
export class FakeUsersStore implements UsersStore {
  protected readonly rows = new Map<number, AccountRow>();
  protected nextId = 1;

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

  /** Test helper: the stored row including the hash and the legacy link, as a copy. */
  peek(id: number): (UserWithCredentials & { legacyId: number | null }) | undefined {
    const row = this.rows.get(id);
    return row ? { ...publicCopy(row), passwordHash: row.passwordHash, legacyId: row.legacyId } : undefined;
  }

  protected findRowByEmail(email: string): AccountRow | undefined {
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

export function publicCopy(row: AccountRow): User {
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
