import { beforeEach, describe, expect, it } from 'vitest';
import { isDuplicateKeyError } from '@strangler/platform';
import { isReferencedRowError, type NewUserRecord, type UsersStore } from '../features/users/users-store-type.js';

export interface StoreHarness {
  store: UsersStore;
  /** Makes `userId` own an order (a row in `orders`, or the fake's hook). */
  addOrder(userId: number): Promise<void>;
  /** Empties users and orders. */
  reset(): Promise<void>;
}

const T0 = new Date('2024-03-01T10:20:30.123Z');
const T1 = new Date('2024-03-02T11:22:33.456Z');

function record(email: string, overrides: Partial<NewUserRecord> = {}): NewUserRecord {
  return { email, fullName: `Name of ${email}`, passwordHash: `scrypt$hash-of-${email}`, createdAt: T0, ...overrides };
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

    it('inserts with status active, both timestamps from the record, and increasing ids', async () => {
      const a = await h.store.insert(record('a@example.com'));
      const b = await h.store.insert(record('b@example.com'));
      expect(a).toEqual({ id: expect.any(Number), email: 'a@example.com', fullName: 'Name of a@example.com', status: 'active', createdAt: T0, updatedAt: T0 });
      expect(a).not.toHaveProperty('passwordHash');
      expect(b.id).toBeGreaterThan(a.id);
      expect(await h.store.findById(a.id)).toEqual(a);
    });

    it('finds nothing for an unknown id', async () => {
      expect(await h.store.findById(2_147_483_647)).toBeUndefined();
    });

    it('rejects a duplicate email case-insensitively on insert, storing nothing', async () => {
      await h.store.insert(record('Dup@Example.com'));
      const error = await rejection(h.store.insert(record('dup@EXAMPLE.COM')));
      expect(isDuplicateKeyError(error)).toBe(true);
      expect((await h.store.list({ limit: 10, offset: 0 })).total).toBe(1);
    });

    it('finds credentials by email case-insensitively, including the hash', async () => {
      const user = await h.store.insert(record('Creds@Example.com'));
      expect(await h.store.findCredentialsByEmail('creds@example.COM')).toEqual({ ...user, passwordHash: 'scrypt$hash-of-Creds@Example.com' });
      expect(await h.store.findCredentialsByEmail('nobody@example.com')).toBeUndefined();
    });

    it('lists by id ascending with limit, offset, total and a case-insensitive exact email filter', async () => {
      const users = [];
      for (const email of ['l1@example.com', 'l2@example.com', 'L3@example.com', 'l4@example.com', 'l30@example.com']) {
        users.push(await h.store.insert(record(email)));
      }
      expect(await h.store.list({ limit: 2, offset: 1 })).toEqual({ items: [users[1], users[2]], total: 5 });
      expect(await h.store.list({ limit: 10, offset: 5 })).toEqual({ items: [], total: 5 });
      expect(await h.store.list({ email: 'l3@EXAMPLE.com', limit: 10, offset: 0 })).toEqual({ items: [users[2]], total: 1 });
      expect(await h.store.list({ email: 'l3@example.co', limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
    });

    it('updates only the given fields and sets updatedAt', async () => {
      const user = await h.store.insert(record('u@example.com'));
      const updated = await h.store.update(user.id, { fullName: 'New Name', updatedAt: T1 });
      expect(updated).toEqual({ ...user, fullName: 'New Name', updatedAt: T1 });
      expect(await h.store.findById(user.id)).toEqual(updated);
      expect((await h.store.findCredentialsByEmail('u@example.com'))?.passwordHash).toBe('scrypt$hash-of-u@example.com');

      const all = await h.store.update(user.id, { email: 'U2@example.com', passwordHash: 'scrypt$new', status: 'suspended', updatedAt: T0 });
      expect(all).toEqual({ ...user, email: 'U2@example.com', fullName: 'New Name', status: 'suspended', updatedAt: T0 });
      expect((await h.store.findCredentialsByEmail('u2@example.com'))?.passwordHash).toBe('scrypt$new');
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
      expect(await h.store.update(a.id, { email: 'First@Example.com', updatedAt: T1 })).toEqual({ ...a, email: 'First@Example.com', updatedAt: T1 });
    });

    it('deletes, reporting whether a row was there', async () => {
      const user = await h.store.insert(record('d@example.com'));
      expect(await h.store.delete(user.id)).toBe(true);
      expect(await h.store.findById(user.id)).toBeUndefined();
      expect(await h.store.delete(user.id)).toBe(false);
    });

    it('knows which users have orders and refuses to delete them with a referenced-row error', async () => {
      const buyer = await h.store.insert(record('buyer@example.com'));
      const other = await h.store.insert(record('other@example.com'));
      await h.addOrder(buyer.id);
      expect(await h.store.hasOrders(buyer.id)).toBe(true);
      expect(await h.store.hasOrders(other.id)).toBe(false);
      const error = await rejection(h.store.delete(buyer.id));
      expect(isReferencedRowError(error)).toBe(true);
      expect(await h.store.findById(buyer.id)).toEqual(buyer);
    });
  });
}
