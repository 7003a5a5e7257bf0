import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, sqlOfRolledBackTransaction, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest } from '../db/migrations.js';
import type { AccountRow } from '../features/users/account-row.js';
import { KnexUsersStore } from '../features/users/users-store.js';
import { describeUsersProjectionContract } from '../testing/users-projection-contract.js';
import { KnexUsersProjection } from './users-projection.js';
import type { LegacyUserRow } from './users-projection-type.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase('users_svc_projection');
  await migrateToLatest(t.db);
});
afterAll(async () => {
  await t.drop();
});

// TRUNCATE (not DELETE) so AUTO_INCREMENT restarts and each case sees a fresh table, like the fake.
describeUsersProjectionContract('KnexUsersProjection on MariaDB', () => ({
  projection: new KnexUsersProjection(t.db),
  store: new KnexUsersStore(t.db),
  async reset() {
    await t.db('accounts').truncate();
  },
}));

describe('KnexUsersProjection: what lands in the accounts table', () => {
  const projection = () => new KnexUsersProjection(t.db);
  const rows = async () => (await t.db('accounts').orderBy('id')) as AccountRow[];
  const legacy: LegacyUserRow = {
    legacyId: 321,
    email: 'Grace.Hopper@Example.com',
    fullName: 'Grace Hopper',
    status: 'active',
    passwordHash: 'scrypt$16384$8$1$c2FsdA==$a2V5',
    createdAt: new Date('2024-01-02T03:04:05.678Z'),
    updatedAt: new Date('2024-02-03T04:05:06.789Z'),
  };

  it('upsertFromLegacy: the same row twice is one row with version 1; a change is the same row with version 2', async () => {
    await t.db('accounts').truncate();
    await projection().upsertFromLegacy(legacy);
    await projection().upsertFromLegacy(legacy);
    const expected: AccountRow = {
      id: 321,
      legacy_id: 321,
      email: 'Grace.Hopper@Example.com',
      email_normalized: 'grace.hopper@example.com',
      display_name: 'Grace Hopper',
      status: 'active',
      password_hash: legacy.passwordHash,
      version: 1,
      created_at: legacy.createdAt,
      updated_at: legacy.updatedAt,
    };
    expect(await rows()).toEqual([expected]);

    const suspended = { ...legacy, status: 'suspended' as const, updatedAt: new Date('2024-03-01T00:00:00.000Z') };
    await projection().upsertFromLegacy(suspended);
    await projection().upsertFromLegacy(suspended);
    expect(await rows()).toEqual([{ ...expected, status: 'suspended', updated_at: suspended.updatedAt, version: 2 }]);
  });

  it('upsertFromLegacy under concurrency: replays racing each other still leave one row at version 1', async () => {
    await t.db('accounts').truncate();
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => projection().upsertFromLegacy(legacy)));
    // Racing first inserts may deadlock on the gap locks and be retried by the projector; none may duplicate or bump.
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('ER_LOCK_DEADLOCK');
    const [row, ...more] = await rows();
    expect(more).toEqual([]);
    expect(row).toMatchObject({ id: 321, legacy_id: 321, version: 1 });
  });

  it('deleteByLegacyId removes exactly the linked row', async () => {
    await t.db('accounts').truncate();
    await projection().upsertFromLegacy(legacy);
    await projection().upsertFromLegacy({ ...legacy, legacyId: 322, email: 'other@example.com' });
    expect(await projection().deleteByLegacyId(321)).toBe(true);
    expect(await projection().deleteByLegacyId(321)).toBe(false);
    expect((await rows()).map((r) => r.legacy_id)).toEqual([322]);
  });
});

describe('KnexUsersProjection on a caller\'s transaction (the CDC projector\'s batch)', () => {
  it('upsertFromLegacy runs inside it without a savepoint of its own, and is undone with it', async () => {
    await t.db('accounts').truncate();
    const statements = await sqlOfRolledBackTransaction(t.db, async (trx) => {
      const row: LegacyUserRow = {
        legacyId: 77,
        email: 'ada@example.com',
        fullName: 'Ada',
        status: 'active',
        passwordHash: 'scrypt$16384$8$1$c2FsdA==$aGFzaA==',
        createdAt: new Date('2024-01-01T00:00:00.000Z'),
        updatedAt: new Date('2024-01-02T00:00:00.000Z'),
      };
      expect((await new KnexUsersProjection(trx).upsertFromLegacy(row)).outcome).toBe('inserted');
    });
    expect(statements.filter((sql) => /savepoint/i.test(sql))).toEqual([]);
    expect(await t.db('accounts').count({ n: '*' }).first()).toEqual({ n: 0 });
  });
});
