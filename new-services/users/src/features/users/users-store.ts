import type { Knex } from '@strangler/platform';
import { PUBLIC_COLUMNS, TABLE, toUser, type AccountRow, type PublicAccountRow } from './account-row.js';
import {
  normalizeEmail,
  type NewUserRecord,
  type User,
  type UserChanges,
  type UserListQuery,
  type UsersStore,
  type UserWithCredentials,
} from './users-store-type.js';

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
}
