import type { NewUserRecord, User, UserChanges, UserListQuery, UsersStore, UserWithCredentials } from './users-store-type.js';

/** Errors shaped like mysql2's, so the service handles the fake and the database the same way. */
function driverError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

// Emails are ASCII (the request schema enforces it), so lower-casing matches the column's case-insensitive collation.
const emailKey = (email: string): string => email.toLowerCase();

/** In-memory UsersStore with the database's semantics: auto-increment ids, case-insensitive unique email, FK on orders. */
export class FakeUsersStore implements UsersStore {
  private readonly rows = new Map<number, UserWithCredentials>();
  private nextId = 1;
  /** Stands in for the `orders` table: which users have orders (the FK makes their deletion fail). */
  hasOrdersHook: (userId: number) => boolean = () => false;

  async insert(user: NewUserRecord): Promise<User> {
    this.assertEmailFree(user.email);
    const id = this.nextId++;
    const row: UserWithCredentials = {
      id,
      email: user.email,
      fullName: user.fullName,
      passwordHash: user.passwordHash,
      status: 'active',
      createdAt: new Date(user.createdAt),
      updatedAt: new Date(user.createdAt),
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
    const matching = [...this.rows.values()]
      .filter((row) => query.email === undefined || emailKey(row.email) === emailKey(query.email))
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
    return publicCopy(row);
  }

  async delete(id: number): Promise<boolean> {
    if (!this.rows.has(id)) return false;
    if (this.hasOrdersHook(id)) throw driverError('ER_ROW_IS_REFERENCED_2', 'Cannot delete or update a parent row: a foreign key constraint fails');
    this.rows.delete(id);
    return true;
  }

  async hasOrders(userId: number): Promise<boolean> {
    return this.hasOrdersHook(userId);
  }

  /** Test helper: the stored row including the hash, as a copy. */
  peek(id: number): UserWithCredentials | undefined {
    const row = this.rows.get(id);
    return row ? { ...publicCopy(row), passwordHash: row.passwordHash } : undefined;
  }

  private findRowByEmail(email: string): UserWithCredentials | undefined {
    return [...this.rows.values()].find((row) => emailKey(row.email) === emailKey(email));
  }

  private assertEmailFree(email: string, exceptId?: number): void {
    const owner = this.findRowByEmail(email);
    if (owner && owner.id !== exceptId) throw driverError('ER_DUP_ENTRY', `Duplicate entry '${email}' for key 'users_email_unique'`);
  }
}

function publicCopy(row: UserWithCredentials): User {
  return {
    id: row.id,
    email: row.email,
    fullName: row.fullName,
    status: row.status,
    createdAt: new Date(row.createdAt),
    updatedAt: new Date(row.updatedAt),
  };
}
