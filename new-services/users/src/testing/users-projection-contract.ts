import { beforeEach, describe, expect, it } from 'vitest';
import type { UsersStore } from '../features/users/users-store-type.js';
import { ProjectionConflictError, type LegacyUserRow, type LegacyUsersProjection } from '../projection/users-projection-type.js';
import { record, rejection, T0, T1, T2 } from './users-store-contract.js';

export interface ProjectionHarness {
  projection: LegacyUsersProjection;
  /** The users store on the same accounts: what the projection wrote, and accounts created here. */
  store: UsersStore;
  /** Empties the accounts. */
  reset(): Promise<void>;
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

/** The semantics every LegacyUsersProjection must share; run against the fake and against MariaDB. */
export function describeUsersProjectionContract(name: string, harness: () => ProjectionHarness): void {
  describe(`LegacyUsersProjection contract: ${name}`, () => {
    let h: ProjectionHarness;
    beforeEach(async () => {
      h = harness();
      await h.reset();
    });

    describe('upsertFromLegacy (the CDC projector’s write)', () => {
      it('inserts a new legacy user under the legacy id, at version 1, findable by its normalised email', async () => {
        const result = await h.projection.upsertFromLegacy(legacyRow(4242, { email: 'Legacy.User@Example.com' }));
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
        const first = await h.projection.upsertFromLegacy(row);
        const again = await h.projection.upsertFromLegacy({ ...row, createdAt: new Date(row.createdAt), updatedAt: new Date(row.updatedAt) });
        const thrice = await h.projection.upsertFromLegacy(row);
        expect(again).toEqual({ outcome: 'unchanged', user: first.user });
        expect(thrice).toEqual({ outcome: 'unchanged', user: first.user });
        expect(await h.store.list({ limit: 10, offset: 0 })).toEqual({ items: [first.user], total: 1 });
      });

      it('applies a changed row, bumping the version exactly once, and a replay of it changes nothing', async () => {
        await h.projection.upsertFromLegacy(legacyRow(8));
        const changed = legacyRow(8, { email: 'moved@example.com', fullName: 'Renamed', status: 'suspended', updatedAt: T2 });
        const updated = await h.projection.upsertFromLegacy(changed);
        expect(updated).toEqual({
          outcome: 'updated',
          user: { id: 8, email: 'moved@example.com', fullName: 'Renamed', status: 'suspended', createdAt: T0, updatedAt: T2, version: 2 },
        });
        expect(await h.projection.upsertFromLegacy(changed)).toEqual({ outcome: 'unchanged', user: updated.user });
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
        await h.projection.upsertFromLegacy(legacyRow(9));
        const result = await h.projection.upsertFromLegacy(legacyRow(9, overrides));
        expect(result.outcome).toBe('updated');
        expect(result.user.version).toBe(2);
        expect(await h.store.findById(9)).toEqual(result.user);
      });

      it('overwrites a change made here with the legacy row (the monolith is the writer) and bumps the version', async () => {
        await h.projection.upsertFromLegacy(legacyRow(10));
        await h.store.update(10, { fullName: 'Edited here', updatedAt: T2 });
        const result = await h.projection.upsertFromLegacy(legacyRow(10));
        expect(result).toEqual({ outcome: 'updated', user: expect.objectContaining({ fullName: 'Legacy 10', updatedAt: T1, version: 3 }) });
      });

      it('moves the id sequence past projected ids, so accounts created here never reuse a legacy id', async () => {
        await h.projection.upsertFromLegacy(legacyRow(5000));
        const native = await h.store.insert(record('native@example.com'));
        expect(native.id).toBeGreaterThan(5000);
      });

      it('refuses (ProjectionConflictError EMAIL) to take over the email of another account, changing nothing', async () => {
        const native = await h.store.insert(record('Shared@example.com'));
        const error = await rejection(h.projection.upsertFromLegacy(legacyRow(6000, { email: 'shared@EXAMPLE.com' })));
        expect(error).toBeInstanceOf(ProjectionConflictError);
        expect(error).toMatchObject({ legacyId: 6000, conflictingId: native.id, reason: 'EMAIL' });
        expect(await h.store.findById(6000)).toBeUndefined();
        expect(await h.store.findById(native.id)).toEqual(native);

        await h.projection.upsertFromLegacy(legacyRow(6001));
        const moveError = await rejection(h.projection.upsertFromLegacy(legacyRow(6001, { email: 'SHARED@example.com' })));
        expect(moveError).toMatchObject({ legacyId: 6001, conflictingId: native.id, reason: 'EMAIL' });
        expect((await h.store.findById(6001))?.email).toBe('legacy-6001@example.com');
      });

      it('refuses (ProjectionConflictError ID) to overwrite an account created here that holds the id', async () => {
        const native = await h.store.insert(record('holder@example.com'));
        const error = await rejection(h.projection.upsertFromLegacy(legacyRow(native.id)));
        expect(error).toBeInstanceOf(ProjectionConflictError);
        expect(error).toMatchObject({ legacyId: native.id, conflictingId: native.id, reason: 'ID' });
        expect(await h.store.findById(native.id)).toEqual(native);
      });
    });

    describe('deleteByLegacyId', () => {
      it('removes the linked account once; a replayed delete is a no-op', async () => {
        await h.projection.upsertFromLegacy(legacyRow(11));
        const kept = await h.projection.upsertFromLegacy(legacyRow(12));
        expect(await h.projection.deleteByLegacyId(11)).toBe(true);
        expect(await h.store.findById(11)).toBeUndefined();
        expect(await h.projection.deleteByLegacyId(11)).toBe(false);
        expect(await h.store.list({ limit: 10, offset: 0 })).toEqual({ items: [kept.user], total: 1 });
      });

      it('never deletes an account created here, even one whose id equals the legacy id', async () => {
        const native = await h.store.insert(record('stays@example.com'));
        expect(await h.projection.deleteByLegacyId(native.id)).toBe(false);
        expect(await h.store.findById(native.id)).toEqual(native);
      });

      it('lets a deleted legacy user be projected again (delete, then re-insert at version 1)', async () => {
        await h.projection.upsertFromLegacy(legacyRow(13));
        await h.projection.upsertFromLegacy(legacyRow(13, { fullName: 'Changed' }));
        await h.projection.deleteByLegacyId(13);
        expect(await h.projection.upsertFromLegacy(legacyRow(13))).toMatchObject({ outcome: 'inserted', user: { id: 13, version: 1 } });
      });
    });
  });
}
