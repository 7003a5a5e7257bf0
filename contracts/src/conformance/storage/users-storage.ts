import type { Knex } from '@strangler/platform';
import { countRows } from './count-rows.js';

/** A user exactly as the public API serves it. */
export interface PublicUser {
  id: number;
  email: string;
  fullName: string;
  status: string;
  createdAt: string;
  updatedAt: string;
}

/** One stored user, read behind the API. */
export interface StoredUser {
  /** The public JSON this stored row must be served as. */
  json: PublicUser;
  passwordHash: string;
  /** The whole row, so that "unchanged" means unchanged in every column. */
  row: Record<string, unknown>;
}

/**
 * What the users conformance suite reads behind the API, to check what a request stored (or that it stored nothing).
 * Read-only: the suite seeds through the API and the provider states.
 */
export interface UsersStorage {
  user(id: number): Promise<StoredUser | undefined>;
  count(): Promise<number>;
  /** How many stored users hold this email, compared case-insensitively. */
  countWithEmail(email: string): Promise<number>;
  /** The public JSON of the stored users in id order: `limit` of them from `offset`. */
  page(offset: number, limit: number): Promise<PublicUser[]>;
}

/** Where an implementation keeps its users: one row per user, these columns differing between implementations. */
export interface UsersTable {
  table: string;
  fullNameColumn: string;
  whereEmail(query: Knex.QueryBuilder, email: string): Knex.QueryBuilder;
}

/** The monolith's `users` (its collation compares emails case-insensitively; LOWER says so explicitly). */
export const LEGACY_USERS_TABLE: UsersTable = {
  table: 'users',
  fullNameColumn: 'full_name',
  whereEmail: (query, email) => query.whereRaw('LOWER(email) = ?', [email.toLowerCase()]),
};

/** The users service's `accounts`, whose emails compare through the lower-cased `email_normalized` copy. */
export const USERS_SERVICE_ACCOUNTS_TABLE: UsersTable = {
  table: 'accounts',
  fullNameColumn: 'display_name',
  whereEmail: (query, email) => query.where({ email_normalized: email.toLowerCase() }),
};

export function usersStorage(db: Knex, layout: UsersTable): UsersStorage {
  const stored = (row: Record<string, unknown>): StoredUser => ({
    json: {
      id: row.id as number,
      email: row.email as string,
      fullName: row[layout.fullNameColumn] as string,
      status: row.status as string,
      createdAt: (row.created_at as Date).toISOString(),
      updatedAt: (row.updated_at as Date).toISOString(),
    },
    passwordHash: row.password_hash as string,
    row,
  });
  return {
    async user(id) {
      const row = (await db(layout.table).where({ id }).first()) as Record<string, unknown> | undefined;
      return row && stored(row);
    },
    count: () => countRows(db(layout.table)),
    countWithEmail: (email) => countRows(layout.whereEmail(db(layout.table), email)),
    async page(offset, limit) {
      const rows = (await db(layout.table).orderBy('id', 'asc').offset(offset).limit(limit)) as Array<Record<string, unknown>>;
      return rows.map((row) => stored(row).json);
    },
  };
}
