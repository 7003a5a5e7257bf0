import { describe, expect, it } from 'vitest';
import type { Knex } from '@strangler/platform';
import { ProjectionConflictError } from '@strangler/users-service/projection';
import { poison } from '../testing/poison.js';
import { change, legacyUser, T0 } from '../testing/debezium-records.js';
import { RecordingUsersProjection } from '../testing/recording-projections.js';
import { createUsersProjector } from './users-projector.js';

const db = {} as Knex;

function setup() {
  const projection = new RecordingUsersProjection();
  const dbs: Knex[] = [];
  const projector = createUsersProjector((given) => {
    dbs.push(given);
    return projection;
  });
  return { projection, projector, dbs };
}

describe('users projector: legacy users → accounts', () => {
  it.each(['c', 'u', 'r'] as const)('op %s upserts the after image, mapped to the service, through the given transaction', async (op) => {
    const { projection, projector, dbs } = setup();
    projection.outcome = op === 'u' ? 'updated' : 'inserted';
    const after = legacyUser(7, { email: 'Ada@x.io', full_name: 'Ada L', status: 'suspended', updated_at: T0 + 5 });
    expect(await projector.apply(db, change('users', op, { after }))).toBe(projection.outcome);
    expect(projection.upserts).toEqual([
      {
        legacyId: 7,
        email: 'Ada@x.io',
        fullName: 'Ada L',
        status: 'suspended',
        passwordHash: 'scrypt$hash7',
        createdAt: new Date(T0),
        updatedAt: new Date(T0 + 5),
      },
    ]);
    expect(dbs).toEqual([db]);
  });

  it('reports a replay as unchanged', async () => {
    const { projection, projector } = setup();
    projection.outcome = 'unchanged';
    expect(await projector.apply(db, change('users', 'u', { after: legacyUser(1) }))).toBe('unchanged');
  });

  it('op d deletes by the before image id: deleted, or absent when already gone', async () => {
    const { projection, projector } = setup();
    expect(await projector.apply(db, change('users', 'd', { before: legacyUser(3) }))).toBe('deleted');
    projection.deleted = false;
    // binlog_row_image=MINIMAL: the before image holds the primary key only.
    expect(await projector.apply(db, change('users', 'd', { before: { id: 3 } }))).toBe('absent');
    expect(projection.deletes).toEqual([3, 3]);
  });

  it('schema drift: unknown columns are ignored', async () => {
    const { projection, projector } = setup();
    await projector.apply(db, change('users', 'c', { after: legacyUser(1, { phone: '+49', last_login_at: T0 }) }));
    expect(projection.upserts).toHaveLength(1);
    expect(projection.upserts[0]).not.toHaveProperty('phone');
  });

  it('schema drift: a missing required column is poison naming it', async () => {
    const { projection, projector } = setup();
    const { full_name: _gone, ...after } = legacyUser(1);
    const error = await poison(projector.apply(db, change('users', 'c', { after })));
    expect(error.code).toBe('SCHEMA_MISMATCH');
    expect(error.message).toContain('legacy.users after: column "full_name": missing');
    expect(projection.upserts).toEqual([]);
  });

  it.each([
    ['email', 42, 'column "email"'],
    ['created_at', '2024-01-01 00:00:00', 'column "created_at"'],
    ['status', 'deleted', 'column "status"'],
    ['id', 0, 'column "id"'],
  ])('schema drift: a mistyped %s is poison naming the column', async (column, value, expected) => {
    const { projector } = setup();
    const error = await poison(projector.apply(db, change('users', 'u', { after: legacyUser(1, { [column]: value }) })));
    expect(error.code).toBe('SCHEMA_MISMATCH');
    expect(error.message).toContain(expected);
  });

  it('a delete without the id in its before image is poison', async () => {
    const { projector } = setup();
    expect((await poison(projector.apply(db, change('users', 'd', { before: { email: 'x' } })))).message).toContain('column "id": missing');
  });

  it("the service's ProjectionConflictError becomes poison PROJECTION_CONFLICT", async () => {
    const { projection, projector } = setup();
    projection.failWith = new ProjectionConflictError(5, 9, 'EMAIL');
    const error = await poison(projector.apply(db, change('users', 'c', { after: legacyUser(5) })));
    expect(error.code).toBe('PROJECTION_CONFLICT');
    expect(error.message).toBe('legacy user 5: its email already belongs to account 9');
  });

  it('other errors (the database) pass through unchanged for the runtime to retry', async () => {
    const { projection, projector } = setup();
    const deadlock = Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' });
    projection.failWith = deadlock;
    await expect(projector.apply(db, change('users', 'c', { after: legacyUser(5) }))).rejects.toBe(deadlock);
  });

  it('a change of another table is poison', async () => {
    const { projector } = setup();
    expect((await poison(projector.apply(db, change('orders', 'c', { after: { id: 1 } })))).code).toBe('UNEXPECTED_TABLE');
  });
});
