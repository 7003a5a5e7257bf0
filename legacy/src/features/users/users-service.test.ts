import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError, verifyPassword } from '@strangler/platform';
import { createFakeUsersService } from './create-users-service.js';
import type { FakeUsersStore } from './fake-users-store.js';
import type { UsersService } from './users-service.js';

async function appError(promise: Promise<unknown>): Promise<{ statusCode: number; code: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const { statusCode, code } = error as AppError;
    return { statusCode, code };
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
    it('stores a hash (never the password) and stamps both timestamps with the clock', async () => {
      const user = await service.create({ email: 'Ann@Example.com', fullName: 'Ann', password: 'correct horse' });
      expect(user).toEqual({ id: 1, email: 'Ann@Example.com', fullName: 'Ann', status: 'active', createdAt: clock, updatedAt: clock });
      expect(store.peek(user.id)?.passwordHash).toBe('hashed:correct horse');
    });

    it('hashes with scrypt by default', async () => {
      const real = createFakeUsersService();
      const user = await real.service.create({ email: 'real@example.com', fullName: 'Real', password: 'correct horse' });
      const hash = real.store.peek(user.id)?.passwordHash ?? '';
      expect(hash).toMatch(/^scrypt\$/);
      expect(await verifyPassword('correct horse', hash)).toBe(true);
    });

    it('rejects an email taken in any letter case with 409 EMAIL_TAKEN and stores nothing', async () => {
      await service.create({ email: 'ann@example.com', fullName: 'Ann', password: 'password1' });
      expect(await appError(service.create({ email: 'ANN@example.COM', fullName: 'Other', password: 'password2' }))).toEqual({
        statusCode: 409,
        code: 'EMAIL_TAKEN',
      });
      expect((await service.list({ page: 1, pageSize: 10 })).total).toBe(1);
    });

    it('passes on store failures that are not duplicates', async () => {
      vi.spyOn(store, 'insert').mockRejectedValue(new Error('connection lost'));
      await expect(service.create({ email: 'x@example.com', fullName: 'X', password: 'password1' })).rejects.toThrow('connection lost');
    });
  });

  describe('get', () => {
    it('returns the user or 404 USER_NOT_FOUND', async () => {
      const user = await service.create({ email: 'g@example.com', fullName: 'G', password: 'password1' });
      expect(await service.get(user.id)).toEqual(user);
      expect(await appError(service.get(user.id + 1))).toEqual({ statusCode: 404, code: 'USER_NOT_FOUND' });
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
    it('changes only the given fields and bumps updatedAt to the current time', async () => {
      const user = await service.create({ email: 'u@example.com', fullName: 'U', password: 'password1' });
      tick(1500);
      const updated = await service.update(user.id, { fullName: 'Ursula' });
      expect(updated).toEqual({ ...user, fullName: 'Ursula', updatedAt: clock });
      expect(updated.updatedAt.getTime()).toBeGreaterThan(user.createdAt.getTime());
      expect(store.peek(user.id)?.passwordHash).toBe('hashed:password1');
    });

    it('re-hashes a new password and changes email and status', async () => {
      const user = await service.create({ email: 'u@example.com', fullName: 'U', password: 'password1' });
      tick(10);
      const updated = await service.update(user.id, { email: 'new@example.com', password: 'password2', status: 'suspended' });
      expect(updated).toEqual({ ...user, email: 'new@example.com', status: 'suspended', updatedAt: clock });
      expect(store.peek(user.id)?.passwordHash).toBe('hashed:password2');
    });

    it("rejects another user's email in any case with 409 EMAIL_TAKEN, leaving the row unchanged", async () => {
      await service.create({ email: 'a@example.com', fullName: 'A', password: 'password1' });
      const b = await service.create({ email: 'b@example.com', fullName: 'B', password: 'password1' });
      tick(10);
      expect(await appError(service.update(b.id, { email: 'A@EXAMPLE.COM', fullName: 'Changed', password: 'password9' }))).toEqual({
        statusCode: 409,
        code: 'EMAIL_TAKEN',
      });
      expect(store.peek(b.id)).toEqual({ ...b, passwordHash: 'hashed:password1' });
    });

    it('allows changing the letter case of the own email', async () => {
      const user = await service.create({ email: 'me@example.com', fullName: 'Me', password: 'password1' });
      expect((await service.update(user.id, { email: 'Me@Example.com' })).email).toBe('Me@Example.com');
    });

    it('reports 404 USER_NOT_FOUND before any email conflict', async () => {
      await service.create({ email: 'taken@example.com', fullName: 'T', password: 'password1' });
      expect(await appError(service.update(99, { email: 'taken@example.com' }))).toEqual({ statusCode: 404, code: 'USER_NOT_FOUND' });
    });

    it('reports 404 when the user disappears between the check and the update', async () => {
      const user = await service.create({ email: 'gone@example.com', fullName: 'G', password: 'password1' });
      vi.spyOn(store, 'update').mockResolvedValue(undefined);
      expect(await appError(service.update(user.id, { fullName: 'X' }))).toEqual({ statusCode: 404, code: 'USER_NOT_FOUND' });
    });
  });

  describe('delete', () => {
    it('removes the user', async () => {
      const user = await service.create({ email: 'd@example.com', fullName: 'D', password: 'password1' });
      await service.delete(user.id);
      expect(store.peek(user.id)).toBeUndefined();
      expect(await appError(service.get(user.id))).toEqual({ statusCode: 404, code: 'USER_NOT_FOUND' });
    });

    it('reports 404 USER_NOT_FOUND for an unknown id', async () => {
      expect(await appError(service.delete(42))).toEqual({ statusCode: 404, code: 'USER_NOT_FOUND' });
    });

    it('refuses with 409 USER_HAS_ORDERS when the user has orders, keeping the user', async () => {
      const buyer = await service.create({ email: 'buyer@example.com', fullName: 'B', password: 'password1' });
      const other = await service.create({ email: 'other@example.com', fullName: 'O', password: 'password1' });
      store.hasOrdersHook = (userId) => userId === buyer.id;
      expect(await appError(service.delete(buyer.id))).toEqual({ statusCode: 409, code: 'USER_HAS_ORDERS' });
      expect(await service.get(buyer.id)).toEqual(buyer);
      await service.delete(other.id);
      expect(store.peek(other.id)).toBeUndefined();
    });

    it('maps an order placed between the check and the delete (foreign key) to 409 USER_HAS_ORDERS', async () => {
      const buyer = await service.create({ email: 'racer@example.com', fullName: 'R', password: 'password1' });
      let calls = 0;
      // The pre-check sees no orders; by the time of the DELETE the foreign key does.
      store.hasOrdersHook = () => calls++ > 0;
      expect(await appError(service.delete(buyer.id))).toEqual({ statusCode: 409, code: 'USER_HAS_ORDERS' });
      expect(store.peek(buyer.id)).toBeDefined();
    });
  });
});
