import type { Knex } from '@strangler/platform';
import { legacyUsersProjection, ProjectionConflictError, USER_STATUSES, type LegacyUsersProjection } from '@strangler/users-service/projection';
import { z } from 'zod';
import { columns, readRow } from '../debezium/columns.js';
import type { ChangeEvent } from '../debezium/envelope.js';
import { PoisonRecordError } from '../errors.js';
import type { ApplyOutcome, Projector } from './projector.js';

/** The columns of legacy's `users` the accounts need; any other column is ignored. */
const userRow = {
  id: columns.id,
  email: columns.string,
  full_name: columns.string,
  password_hash: columns.string,
  status: z.enum(USER_STATUSES),
  created_at: columns.datetime,
  updated_at: columns.datetime,
};

/** legacy.users → users_svc.accounts (the account keeps the monolith's id). */
export function createUsersProjector(projection: (db: Knex) => LegacyUsersProjection = legacyUsersProjection): Projector {
  return {
    name: 'users',
    // The tables this mapping reads; the users slice manifest must list the same (registry.test.ts).
    tables: ['users'],
    async apply(db: Knex, change: ChangeEvent): Promise<ApplyOutcome> {
      if (change.table !== 'users') throw new PoisonRecordError('UNEXPECTED_TABLE', `the users projector does not consume table "${change.table}"`);
      if (change.op === 'd') {
        const { id } = readRow(change, 'before', { id: columns.id });
        return (await projection(db).deleteByLegacyId(id)) ? 'deleted' : 'absent';
      }
      const row = readRow(change, 'after', userRow);
      try {
        const result = await projection(db).upsertFromLegacy({
          legacyId: row.id,
          email: row.email,
          fullName: row.full_name,
          status: row.status,
          passwordHash: row.password_hash,
          createdAt: row.created_at,
          updatedAt: row.updated_at,
        });
        return result.outcome;
      } catch (error) {
        if (error instanceof ProjectionConflictError) throw new PoisonRecordError('PROJECTION_CONFLICT', error.message, { cause: error });
        throw error;
      }
    },
  };
}
