export const USER_STATUSES = ['active', 'suspended'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** A user as the rest of the code sees it; never carries the password hash. */
export interface User {
  /** The public id. Accounts projected from the monolith carry the monolith's id, so ids agree across implementations. */
  id: number;
  email: string;
  fullName: string;
  status: UserStatus;
  createdAt: Date;
  updatedAt: Date;
  /** Starts at 1 and grows by one with every change; internal (not in the public JSON). */
  version: number;
}

/** Only for checking a password (login, once it moves here); never leaves the service layer. */
export interface UserWithCredentials extends User {
  passwordHash: string;
}

export interface NewUserRecord {
  email: string;
  fullName: string;
  passwordHash: string;
  createdAt: Date;
}

export interface UserChanges {
  email?: string;
  fullName?: string;
  passwordHash?: string;
  status?: UserStatus;
  updatedAt: Date;
}

export interface UserListQuery {
  /** Exact match on the normalised email (so case-insensitive). */
  email?: string;
  limit: number;
  offset: number;
}

/**
 * The key that email uniqueness and lookups go through (the `email_normalized` column): trimmed and lower-cased.
 * The monolith got the same effect from a case-insensitive collation; here it is explicit, so it does not depend on
 * the column's collation. Request emails are ASCII (the schema enforces it), so lower-casing is unambiguous.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Persistence for users (table `accounts`). Implementations must agree on these semantics (the fake mirrors the database):
 * - emails are unique by `normalizeEmail`; insert/update reject with a duplicate-key error (`isDuplicateKeyError`);
 * - every change bumps `version` by one; lists are ordered by id ascending.
 * The CDC projection (src/projection) writes the same table: accounts linked to the monolith's users.
 */
export interface UsersStore {
  insert(user: NewUserRecord): Promise<User>;
  findById(id: number): Promise<User | undefined>;
  findCredentialsByEmail(email: string): Promise<UserWithCredentials | undefined>;
  list(query: UserListQuery): Promise<{ items: User[]; total: number }>;
  /** Returns the updated user, or undefined when no user has this id. */
  update(id: number, changes: UserChanges): Promise<User | undefined>;
  /** Returns false when no user has this id. */
  delete(id: number): Promise<boolean>;
}
