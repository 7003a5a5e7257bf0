import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError, verifyPassword } from '@strangler/platform';
import { createFakeUsersService } from './create-users-service.js';
import type { FakeUsersStore } from './fake-users-store.js';
import type { UsersService } from './users-service.js';

async function appError(promise: Promise<unknown>): Promise<{ statusCode: number; code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const { statusCode, code, message } = error as AppError;
    return { statusCode, code, message };
  }
  throw new Error('expected an AppError');
}

// A cheap, recognisable stand-in for scrypt so the rules, not the hashing, are under test.
const fakeHash = async (password: string): Promise<string> => `hashed:${password}`;

describe('UsersService', () => {
  let clock: Date;
  let service: UsersService;
  let store: FakeUsersStore;
  beforeEach(() => {
    clock = new Date('2024-05-01T08:00:00.000Z');
    ({ service, store } = createFakeUsersService({ now: () => clock, hashPassword: fakeHash }));
  });

  const tick = (ms: number): void => {
    clock = new Date(clock.getTime() + ms);
  };

  describe('create', () => {
    it('stores a hash (never the password), stamps both timestamps with the clock, starts at version 1', async () => {
      const user = await service.create({ email: 'Ann@Example.com', fullName: 'Ann', password: 'correct horse' });
      expect(user).toEqual({ id: 1, email: 'Ann@Example.com', fullName: 'Ann', status: 'active', createdAt: clock, updatedAt: clock, version: 1 });
      expect(store.peek(user.id)).toMatchObject({ passwordHash: 'hashed:correct horse', legacyId: null });
    });

    it('hashes with scrypt by default, in the format the monolith uses', async () => {
      const real = createFakeUsersService();
      const user = await real.service.create({ email: 'real@example.com', fullName: 'Real', password: 'correct horse' });
      const hash = real.store.peek(user.id)?.passwordHash ?? '';
      expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
      expect(await verifyPassword('correct horse', hash)).toBe(true);
    });

    it('rejects an email taken in any letter case with 409 EMAIL_TAKEN and the monolith\'s message, storing nothing', async () => {
      await service.create({ email: 'ann@example.com', fullName: 'Ann', password: 'password1' });
      expect(await appError(service.create({ email: 'ANN@example.COM', fullName: 'Other', password: 'password2' }))).toEqual({
        statusCode: 409,
        code: 'EMAIL_TAKEN',
        message: 'Email is already registered',
      });
      expect((await service.list({ page: 1, pageSize: 10 })).total).toBe(1);
    });

    it('passes on store failures that are not duplicates', async () => {
      vi.spyOn(store, 'insert').mockRejectedValue(new Error('connection lost'));
      await expect(service.create({ email: 'x@example.com', fullName: 'X', password: 'password1' })).rejects.toThrow('connection lost');
    });
  });

  describe('get', () => {
    it('returns the user or 404 USER_NOT_FOUND naming the id', async () => {
      const user = await service.create({ email: 'g@example.com', fullName: 'G', password: 'password1' });
      expect(await service.get(user.id)).toEqual(user);
      expect(await appError(service.get(user.id + 1))).toEqual({ statusCode: 404, code: 'USER_NOT_FOUND', message: `User ${user.id + 1} not found` });
    });
  });

  describe('list', () => {
    it('pages by id and echoes page, pageSize and the filtered total', async () => {
      const created = [];
      for (let i = 1; i <= 5; i++) created.push(await service.create({ email: `p${i}@example.com`, fullName: `P${i}`, password: 'password1' }));
      expect(await service.list({ page: 2, pageSize: 2 })).toEqual({ items: [created[2], created[3]], page: 2, pageSize: 2, total: 5 });
      expect(await service.list({ page: 3, pageSize: 2 })).toEqual({ items: [created[4]], page: 3, pageSize: 2, total: 5 });
      expect(await service.list({ page: 9, pageSize: 2 })).toEqual({ items: [], page: 9, pageSize: 2, total: 5 });
      expect(await service.list({ email: 'P4@EXAMPLE.com', page: 1, pageSize: 20 })).toEqual({ items: [created[3]], page: 1, pageSize: 20, total: 1 });
    });
  });

  describe('update', () => {
    it('changes only the given fields, bumps updatedAt to the current time and the version by one', async () => {
      const user = await service.create({ email: 'u@example.com', fullName: 'U', password: 'password1' });
      tick(1500);
      const updated = await service.update(user.id, { fullName: 'Ursula' });
      expect(updated).toEqual({ ...user, fullName: 'Ursula', updatedAt: clock, version: 2 });
      expect(updated.updatedAt.getTime()).toBeGreaterThan(user.createdAt.getTime());
      expect(store.peek(user.id)?.passwordHash).toBe('hashed:password1');
    });

    it('re-hashes a new password and changes email and status', async () => {
      const user = await service.create({ email: 'u@example.com', fullName: 'U', password: 'password1' });
      tick(10);
      const updated = await service.update(user.id, { email: 'new@example.com', password: 'password2', status: 'suspended' });
      expect(updated).toEqual({ ...user, email: 'new@example.com', status: 'suspended', updatedAt: clock, version: 2 });
      expect(store.peek(user.id)?.passwordHash).toBe('hashed:password2');
      expect(await service.list({ email: 'u@example.com', page: 1, pageSize: 20 })).toMatchObject({ total: 0 });
      expect(await service.list({ email: 'NEW@example.com', page: 1, pageSize: 20 })).toMatchObject({ items: [updated], total: 1 });
    });

    it("rejects another user's email in any case with 409 EMAIL_TAKEN, leaving the row (and its version) unchanged", async () => {
      await service.create({ email: 'a@example.com', fullName: 'A', password: 'password1' });
      const b = await service.create({ email: 'b@example.com', fullName: 'B', password: 'password1' });
      tick(10);
      expect(await appError(service.update(b.id, { email: ' A@EXAMPLE.COM', fullName: 'Changed', password: 'password9' }))).toMatchObject({
        statusCode: 409,
        code: 'EMAIL_TAKEN',
      });
      expect(store.peek(b.id)).toEqual({ ...b, passwordHash: 'hashed:password1', legacyId: null });
    });

    it('allows changing the letter case of the own email', async () => {
      const user = await service.create({ email: 'me@example.com', fullName: 'Me', password: 'password1' });
      expect(await service.update(user.id, { email: 'Me@Example.com' })).toMatchObject({ email: 'Me@Example.com', version: 2 });
    });

    it('reports 404 USER_NOT_FOUND before any email conflict, without hashing', async () => {
      const hash = vi.fn(fakeHash);
      const fresh = createFakeUsersService({ now: () => clock, hashPassword: hash });
      await fresh.service.create({ email: 'taken@example.com', fullName: 'T', password: 'password1' });
      expect(await appError(fresh.service.update(99, { email: 'taken@example.com', password: 'password2' }))).toMatchObject({
        statusCode: 404,
        code: 'USER_NOT_FOUND',
      });
      expect(hash).toHaveBeenCalledTimes(1);
    });

    it('reports 404 when the user disappears between the check and the update', async () => {
      const user = await service.create({ email: 'gone@example.com', fullName: 'G', password: 'password1' });
      vi.spyOn(store, 'update').mockResolvedValue(undefined);
      expect(await appError(service.update(user.id, { fullName: 'X' }))).toMatchObject({ statusCode: 404, code: 'USER_NOT_FOUND' });
    });
  });

  describe('delete', () => {
    it('removes the user', async () => {
      const user = await service.create({ email: 'd@example.com', fullName: 'D', password: 'password1' });
      await service.delete(user.id);
      expect(store.peek(user.id)).toBeUndefined();
      expect(await appError(service.get(user.id))).toMatchObject({ statusCode: 404, code: 'USER_NOT_FOUND' });
    });

    it('reports 404 USER_NOT_FOUND for an unknown id', async () => {
      expect(await appError(service.delete(42))).toEqual({ statusCode: 404, code: 'USER_NOT_FOUND', message: 'User 42 not found' });
    });

    it('reports 404 when the user disappears between the check and the delete', async () => {
      const user = await service.create({ email: 'race@example.com', fullName: 'R', password: 'password1' });
      vi.spyOn(store, 'delete').mockResolvedValue(false);
      expect(await appError(service.delete(user.id))).toMatchObject({ statusCode: 404, code: 'USER_NOT_FOUND' });
    });

    it('does not know about orders: deletes a user the monolith would refuse (USER_HAS_ORDERS) — writes stay routed to the monolith', async () => {
      // Documents the intended difference: nothing here can veto a delete, so the edge must not route DELETE here yet.
      const buyer = await service.create({ email: 'buyer@example.com', fullName: 'B', password: 'password1' });
      await expect(service.delete(buyer.id)).resolves.toBeUndefined();
      expect(store.peek(buyer.id)).toBeUndefined();
    });
  });
});
