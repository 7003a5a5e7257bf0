import type { User, UserStatus } from './users-store-type.js';

/** The `accounts` table, which the users store and the CDC projection (src/projection) both write. */
export const TABLE = 'accounts';

export interface AccountRow {
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
export const PUBLIC_COLUMNS: string[] = ['id', 'email', 'display_name', 'status', 'version', 'created_at', 'updated_at'];

export type PublicAccountRow = Pick<AccountRow, 'id' | 'email' | 'display_name' | 'status' | 'version' | 'created_at' | 'updated_at'>;

export function toUser(row: PublicAccountRow): User {
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
