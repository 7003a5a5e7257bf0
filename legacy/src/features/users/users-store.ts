import type { Knex } from '@strangler/platform';
import type { NewUserRecord, User, UserChanges, UserListQuery, UserStatus, UsersStore, UserWithCredentials } from './users-store-type.js';

interface UserRow {
  id: number;
  email: string;
  full_name: string;
  password_hash: string;
  status: UserStatus;
  created_at: Date;
  updated_at: Date;
}

// The hash is only selected where a password has to be checked.
const PUBLIC_COLUMNS: string[] = ['id', 'email', 'full_name', 'status', 'created_at', 'updated_at'];

type PublicUserRow = Omit<UserRow, 'password_hash'>;

function toUser(row: PublicUserRow): User {
  return {
    id: row.id,
    email: row.email,
    fullName: row.full_name,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export class KnexUsersStore implements UsersStore {
  constructor(private readonly db: Knex) {}

  async insert(user: NewUserRecord): Promise<User> {
    const [id] = await this.db('users').insert({
      email: user.email,
      full_name: user.fullName,
      password_hash: user.passwordHash,
      created_at: user.createdAt,
      updated_at: user.createdAt,
    });
    const created = await this.findById(Number(id));
    if (!created) throw new Error(`user ${String(id)} vanished right after insert`);
    return created;
  }

  async findById(id: number): Promise<User | undefined> {
    const row = (await this.db('users').select(PUBLIC_COLUMNS).where({ id }).first()) as PublicUserRow | undefined;
    return row ? toUser(row) : undefined;
  }

  async findCredentialsByEmail(email: string): Promise<UserWithCredentials | undefined> {
    // The column's collation makes this comparison case-insensitive.
    const row = (await this.db('users')
      .select([...PUBLIC_COLUMNS, 'password_hash'])
      .where({ email })
      .first()) as UserRow | undefined;
    return row ? { ...toUser(row), passwordHash: row.password_hash } : undefined;
  }

  async list(query: UserListQuery): Promise<{ items: User[]; total: number }> {
    const filtered = (): Knex.QueryBuilder => {
      const builder = this.db('users');
      if (query.email !== undefined) builder.where({ email: query.email });
      return builder;
    };
    const [rows, counted] = await Promise.all([
      filtered().select(PUBLIC_COLUMNS).orderBy('id', 'asc').limit(query.limit).offset(query.offset),
      filtered().count({ total: '*' }).first(),
    ]);
    return { items: (rows as PublicUserRow[]).map(toUser), total: Number((counted as { total: number | string } | undefined)?.total ?? 0) };
  }

  async update(id: number, changes: UserChanges): Promise<User | undefined> {
    const values: Partial<UserRow> = { updated_at: changes.updatedAt };
    if (changes.email !== undefined) values.email = changes.email;
    if (changes.fullName !== undefined) values.full_name = changes.fullName;
    if (changes.passwordHash !== undefined) values.password_hash = changes.passwordHash;
    if (changes.status !== undefined) values.status = changes.status;
    await this.db('users').where({ id }).update(values);
    // Re-read rather than trusting affectedRows: an update that changes nothing reports 0 on some drivers.
    return this.findById(id);
  }

  async delete(id: number): Promise<boolean> {
    const deleted = await this.db('users').where({ id }).delete();
    return deleted > 0;
  }

  async hasOrders(userId: number): Promise<boolean> {
    const row = await this.db('orders').select('id').where({ user_id: userId }).first();
    return row !== undefined;
  }
}
