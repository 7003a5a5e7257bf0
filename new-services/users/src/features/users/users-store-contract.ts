import { beforeEach, describe, expect, it } from 'vitest';
import { isDuplicateKeyError } from '@strangler/platform';
import { ProjectionConflictError, type LegacyUserRow, type NewUserRecord, type UsersStore } from './users-store-type.js';

export interface StoreHarness {
  store: UsersStore;
  /** Empties the accounts. */
  reset(): Promise<void>;
}

const T0 = new Date('2024-03-01T10:20:30.123Z');
const T1 = new Date('2024-03-02T11:22:33.456Z');
const T2 = new Date('2024-03-03T12:00:00.789Z');

function record(email: string, overrides: Partial<NewUserRecord> = {}): NewUserRecord {
  return { email, fullName: `Name of ${email}`, passwordHash: `scrypt$hash-of-${email}`, createdAt: T0, ...overrides };
}

function legacyRow(legacyId: number, overrides: Partial<LegacyUserRow> = {}): LegacyUserRow {
  return {
    legacyId,
    email: `legacy-${legacyId}@example.com`,
    fullName: `Legacy ${legacyId}`,
    status: 'active',
    passwordHash: `scrypt$legacy-${legacyId}`,
    createdAt: T0,
    updatedAt: T1,
    ...overrides,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The semantics every UsersStore must share; run against the fake and against MariaDB. */
export function describeUsersStoreContract(name: string, harness: () => StoreHarness): void {
  describe(`UsersStore contract: ${name}`, () => {
    let h: StoreHarness;
    beforeEach(async () => {
      h = harness();
      await h.reset();
    });

    it('inserts with status active, both timestamps from the record, version 1 and increasing ids', async () => {
      const a = await h.store.insert(record('a@example.com'));
      const b = await h.store.insert(record('b@example.com'));
      expect(a).toEqual({
        id: expect.any(Number),
        email: 'a@example.com',
        fullName: 'Name of a@example.com',
        status: 'active',
        createdAt: T0,
        updatedAt: T0,
        version: 1,
      });
      expect(a).not.toHaveProperty('passwordHash');
      expect(b.id).toBeGreaterThan(a.id);
      expect(await h.store.findById(a.id)).toEqual(a);
    });

    it('finds nothing for an unknown id', async () => {
      expect(await h.store.findById(2_147_483_647)).toBeUndefined();
    });

    it('keeps the email as given but rejects a duplicate by its normalised form (case, surrounding spaces), storing nothing', async () => {
      const first = await h.store.insert(record('Dup@Example.com'));
      expect(first.email).toBe('Dup@Example.com');
      for (const variant of ['dup@EXAMPLE.COM', ' dup@example.com ']) {
        const error = await rejection(h.store.insert(record(variant)));
        expect(isDuplicateKeyError(error)).toBe(true);
      }
      expect((await h.store.list({ limit: 10, offset: 0 })).total).toBe(1);
    });

    it('finds credentials by normalised email, including the hash', async () => {
      const user = await h.store.insert(record('Creds@Example.com'));
      expect(await h.store.findCredentialsByEmail('creds@example.COM')).toEqual({ ...user, passwordHash: 'scrypt$hash-of-Creds@Example.com' });
      expect(await h.store.findCredentialsByEmail('  CREDS@example.com')).toEqual({ ...user, passwordHash: 'scrypt$hash-of-Creds@Example.com' });
      expect(await h.store.findCredentialsByEmail('nobody@example.com')).toBeUndefined();
    });

    it('lists by id ascending with limit, offset, total and an exact normalised email filter', async () => {
      const users = [];
      for (const email of ['l1@example.com', 'l2@example.com', 'L3@example.com', 'l4@example.com', 'l30@example.com']) {
        users.push(await h.store.insert(record(email)));
      }
      expect(await h.store.list({ limit: 2, offset: 1 })).toEqual({ items: [users[1], users[2]], total: 5 });
      expect(await h.store.list({ limit: 10, offset: 5 })).toEqual({ items: [], total: 5 });
      expect(await h.store.list({ email: 'l3@EXAMPLE.com', limit: 10, offset: 0 })).toEqual({ items: [users[2]], total: 1 });
      expect(await h.store.list({ email: 'l3@example.co', limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
      expect(await h.store.list({ email: 'l3@example.com', limit: 10, offset: 1 })).toEqual({ items: [], total: 1 });
    });

    it('updates only the given fields, sets updatedAt and bumps the version by one per update', async () => {
      const user = await h.store.insert(record('u@example.com'));
      const updated = await h.store.update(user.id, { fullName: 'New Name', updatedAt: T1 });
      expect(updated).toEqual({ ...user, fullName: 'New Name', updatedAt: T1, version: 2 });
      expect(await h.store.findById(user.id)).toEqual(updated);
      expect((await h.store.findCredentialsByEmail('u@example.com'))?.passwordHash).toBe('scrypt$hash-of-u@example.com');

      const all = await h.store.update(user.id, { email: 'U2@example.com', passwordHash: 'scrypt$new', status: 'suspended', updatedAt: T0 });
      expect(all).toEqual({ ...user, email: 'U2@example.com', fullName: 'New Name', status: 'suspended', updatedAt: T0, version: 3 });
      expect((await h.store.findCredentialsByEmail('u2@example.com'))?.passwordHash).toBe('scrypt$new');
      expect(await h.store.findCredentialsByEmail('u@example.com')).toBeUndefined();
    });

    it('returns undefined when updating an unknown id, even with a taken email', async () => {
      await h.store.insert(record('taken@example.com'));
      expect(await h.store.update(2_147_483_647, { email: 'taken@example.com', updatedAt: T1 })).toBeUndefined();
    });

    it("rejects changing to another user's email (any case) and leaves the row unchanged, but allows re-casing one's own", async () => {
      const a = await h.store.insert(record('first@example.com'));
      const b = await h.store.insert(record('second@example.com'));
      const error = await rejection(h.store.update(b.id, { email: 'FIRST@example.com', fullName: 'Changed', updatedAt: T1 }));
      expect(isDuplicateKeyError(error)).toBe(true);
      expect(await h.store.findById(b.id)).toEqual(b);
      expect(await h.store.update(a.id, { email: 'First@Example.com', updatedAt: T1 })).toEqual({ ...a, email: 'First@Example.com', updatedAt: T1, version: 2 });
    });

    it('deletes, reporting whether a row was there', async () => {
      const user = await h.store.insert(record('d@example.com'));
      expect(await h.store.delete(user.id)).toBe(true);
      expect(await h.store.findById(user.id)).toBeUndefined();
      expect(await h.store.delete(user.id)).toBe(false);
      // The email is free again.
      expect((await h.store.insert(record('D@example.com'))).email).toBe('D@example.com');
    });

    describe('upsertFromLegacy (the CDC projector’s write)', () => {
      it('inserts a new legacy user under the legacy id, at version 1, findable by its normalised email', async () => {
        const result = await h.store.upsertFromLegacy(legacyRow(4242, { email: 'Legacy.User@Example.com' }));
        const expected = {
          id: 4242,
          email: 'Legacy.User@Example.com',
          fullName: 'Legacy 4242',
          status: 'active',
          createdAt: T0,
          updatedAt: T1,
          version: 1,
        };
        expect(result).toEqual({ outcome: 'inserted', user: expected });
        expect(await h.store.findById(4242)).toEqual(expected);
        expect(await h.store.findCredentialsByEmail('legacy.user@example.com')).toEqual({ ...expected, passwordHash: 'scrypt$legacy-4242' });
      });

      it('is idempotent: replaying the same row changes nothing and keeps the version', async () => {
        const row = legacyRow(7);
        const first = await h.store.upsertFromLegacy(row);
        const again = await h.store.upsertFromLegacy({ ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) });
        const thrice = await h.store.upsertFromLegacy(row);
        expect(again).toEqual({ outcome: 'unchanged', user: first.user });
        expect(thrice).toEqual({ outcome: 'unchanged', user: first.user });
        expect(await h.store.list({ limit: 10, offset: 0 })).toEqual({ items: [first.user], total: 1 });
      });

      it('applies a changed row, bumping the version exactly once, and a replay of it changes nothing', async () => {
        await h.store.upsertFromLegacy(legacyRow(8));
        const changed = legacyRow(8, { email: 'moved@example.com', fullName: 'Renamed', status: 'suspended', updatedAt: T2 });
        const updated = await h.store.upsertFromLegacy(changed);
        expect(updated).toEqual({
          outcome: 'updated',
          user: { id: 8, email: 'moved@example.com', fullName: 'Renamed', status: 'suspended', createdAt: T0, updatedAt: T2, version: 2 },
        });
        expect(await h.store.upsertFromLegacy(changed)).toEqual({ outcome: 'unchanged', user: updated.user });
        expect(await h.store.findCredentialsByEmail('legacy-8@example.com')).toBeUndefined();
        expect((await h.store.findCredentialsByEmail('MOVED@example.com'))?.id).toBe(8);
      });

      it.each([
        ['the email, in letter case only', { email: 'LEGACY-9@example.com' }],
        ['the full name, in letter case only', { fullName: 'LEGACY 9' }],
        ['the full name, by a trailing space', { fullName: 'Legacy 9 ' }],
        ['the status', { status: 'suspended' as const }],
        ['the password hash', { passwordHash: 'scrypt$rotated' }],
        ['createdAt, by a millisecond', { createdAt: new Date(T0.getTime() + 1) }],
        ['updatedAt, by a millisecond', { updatedAt: new Date(T1.getTime() + 1) }],
      ])('counts a change of %s as a change (version 2)', async (_label, overrides) => {
        await h.store.upsertFromLegacy(legacyRow(9));
        const result = await h.store.upsertFromLegacy(legacyRow(9, overrides));
        expect(result.outcome).toBe('updated');
        expect(result.user.version).toBe(2);
        expect(await h.store.findById(9)).toEqual(result.user);
      });

      it('overwrites a change made here with the legacy row (the monolith is the writer) and bumps the version', async () => {
        await h.store.upsertFromLegacy(legacyRow(10));
        await h.store.update(10, { fullName: 'Edited here', updatedAt: T2 });
        const result = await h.store.upsertFromLegacy(legacyRow(10));
        expect(result).toEqual({ outcome: 'updated', user: expect.objectContaining({ fullName: 'Legacy 10', updatedAt: T1, version: 3 }) });
      });

      it('moves the id sequence past projected ids, so accounts created here never reuse a legacy id', async () => {
        await h.store.upsertFromLegacy(legacyRow(5000));
        const native = await h.store.insert(record('native@example.com'));
        expect(native.id).toBeGreaterThan(5000);
      });

      it('refuses (ProjectionConflictError EMAIL) to take over the email of another account, changing nothing', async () => {
        const native = await h.store.insert(record('Shared@example.com'));
        const error = await rejection(h.store.upsertFromLegacy(legacyRow(6000, { email: 'shared@EXAMPLE.com' })));
        expect(error).toBeInstanceOf(ProjectionConflictError);
        expect(error).toMatchObject({ legacyId: 6000, conflictingId: native.id, reason: 'EMAIL' });
        expect(await h.store.findById(6000)).toBeUndefined();
        expect(await h.store.findById(native.id)).toEqual(native);

        await h.store.upsertFromLegacy(legacyRow(6001));
        const moveError = await rejection(h.store.upsertFromLegacy(legacyRow(6001, { email: 'SHARED@example.com' })));
        expect(moveError).toMatchObject({ legacyId: 6001, conflictingId: native.id, reason: 'EMAIL' });
        expect((await h.store.findById(6001))?.email).toBe('legacy-6001@example.com');
      });

      it('refuses (ProjectionConflictError ID) to overwrite an account created here that holds the id', async () => {
        const native = await h.store.insert(record('holder@example.com'));
        const error = await rejection(h.store.upsertFromLegacy(legacyRow(native.id)));
        expect(error).toBeInstanceOf(ProjectionConflictError);
        expect(error).toMatchObject({ legacyId: native.id, conflictingId: native.id, reason: 'ID' });
        expect(await h.store.findById(native.id)).toEqual(native);
      });
    });

    describe('deleteByLegacyId', () => {
      it('removes the linked account once; a replayed delete is a no-op', async () => {
        await h.store.upsertFromLegacy(legacyRow(11));
        const kept = await h.store.upsertFromLegacy(legacyRow(12));
        expect(await h.store.deleteByLegacyId(11)).toBe(true);
        expect(await h.store.findById(11)).toBeUndefined();
        expect(await h.store.deleteByLegacyId(11)).toBe(false);
        expect(await h.store.list({ limit: 10, offset: 0 })).toEqual({ items: [kept.user], total: 1 });
      });

      it('never deletes an account created here, even one whose id equals the legacy id', async () => {
        const native = await h.store.insert(record('stays@example.com'));
        expect(await h.store.deleteByLegacyId(native.id)).toBe(false);
        expect(await h.store.findById(native.id)).toEqual(native);
      });

      it('lets a deleted legacy user be projected again (delete, then re-insert at version 1)', async () => {
        await h.store.upsertFromLegacy(legacyRow(13));
        await h.store.upsertFromLegacy(legacyRow(13, { fullName: 'Changed' }));
        await h.store.deleteByLegacyId(13);
        expect(await h.store.upsertFromLegacy(legacyRow(13))).toMatchObject({ outcome: 'inserted', user: { id: 13, version: 1 } });
      });
    });
  });
}
