import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { verifyPassword } from '@strangler/platform';
import { KnexUsersStore } from '../features/users/users-store.js';
import { countAccounts, DEMO_PASSWORD, demoAccount, SeedRefusedError, seedAccounts } from './seed-accounts.js';

describe('seedAccounts', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  beforeAll(async () => {
    [a, b] = await Promise.all([createTestDatabase('users_svc_seed_a'), createTestDatabase('users_svc_seed_b')]);
  });
  afterAll(async () => {
    await Promise.all([a.drop(), b.drop()]);
  });

  it('fills an empty database (migrating it) with the same rows every time', async () => {
    const progress: number[] = [];
    expect(await seedAccounts(a.db, { accounts: 1_203, onProgress: (done) => progress.push(done) })).toBe(1_203);
    expect(progress).toEqual([1_000, 1_203]);
    await seedAccounts(b.db, { accounts: 1_203 });
    const [rowsA, rowsB] = await Promise.all([a.db('accounts').orderBy('id'), b.db('accounts').orderBy('id')]);
    expect(rowsA).toHaveLength(1_203);
    expect(rowsA).toEqual(rowsB);
  });

  it('writes valid accounts: unique normalised emails, ids 1..n, not linked to the monolith, the demo password', async () => {
    const store = new KnexUsersStore(a.db);
    const first = demoAccount(1, 'unused');
    expect(await store.findById(1)).toMatchObject({ id: 1, email: first.email, fullName: first.display_name, status: 'active', version: 1 });
    expect(await store.findById(20)).toMatchObject({ status: 'suspended', version: 2 });
    const credentials = await store.findCredentialsByEmail(first.email.toUpperCase());
    expect(credentials?.id).toBe(1);
    expect(await verifyPassword(DEMO_PASSWORD, credentials?.passwordHash ?? '')).toBe(true);
    expect(await a.db('accounts').whereNotNull('legacy_id').count({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await a.db('accounts').countDistinct({ n: 'email_normalized' })).toEqual([{ n: 1_203 }]);
  });

  it('refuses a database that already has accounts, changing nothing', async () => {
    await expect(seedAccounts(a.db, { accounts: 5 })).rejects.toThrow(SeedRefusedError);
    await expect(seedAccounts(a.db, { accounts: 5 })).rejects.toThrow('accounts: 1203 rows');
    expect(await countAccounts(a.db)).toBe(1_203);
  });
});
