export const USER_STATUSES = ['active', 'suspended'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** A user as the rest of the code sees it; never carries the password hash. */
export interface User {
  id: number;
  email: string;
  fullName: string;
  status: UserStatus;
  createdAt: Date;
  updatedAt: Date;
}

/** Only for checking a password (login); never leaves the service layer. */
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
  /** Exact match, case-insensitive. */
  email?: string;
  limit: number;
  offset: number;
}

/**
 * Persistence for users. Implementations must agree on these semantics (the fake mirrors the database):
 * - emails are unique case-insensitively; insert/update reject with a duplicate-key error (`isDuplicateKeyError`);
 * - deleting a user that orders still reference rejects with a referenced-row error (`isReferencedRowError`);
 * - lists are ordered by id ascending.
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
  hasOrders(userId: number): Promise<boolean>;
}

/** The driver error a foreign key raises when a referenced row is deleted (MySQL/MariaDB errno 1451 / 1217). */
export function isReferencedRowError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'ER_ROW_IS_REFERENCED_2' || code === 'ER_ROW_IS_REFERENCED';
}
