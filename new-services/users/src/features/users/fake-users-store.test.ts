import { describe, expect, it } from 'vitest';
import { FakeUsersStore } from './fake-users-store.js';
import { normalizeEmail } from './users-store-type.js';
import { describeUsersStoreContract } from '../../testing/users-store-contract.js';

describeUsersStoreContract('FakeUsersStore', () => ({ store: new FakeUsersStore(), async reset() {} }));

describe('normalizeEmail', () => {
  it.each([
    ['ann@example.com', 'ann@example.com'],
    ['Ann@Example.COM', 'ann@example.com'],
    ['  ann@example.com \t', 'ann@example.com'],
    [' A.B+tag@Sub.Example.org ', 'a.b+tag@sub.example.org'],
  ])('%j → %j', (email, normalized) => {
    expect(normalizeEmail(email)).toBe(normalized);
  });
});

describe('FakeUsersStore specifics', () => {
  it('hands out copies, so callers cannot change stored rows', async () => {
    const store = new FakeUsersStore();
    const user = await store.insert({ email: 'c@example.com', fullName: 'C', passwordHash: 'h', createdAt: new Date(0) });
    user.fullName = 'Mutated';
    user.createdAt.setTime(1);
    expect(await store.findById(user.id)).toMatchObject({ fullName: 'C', createdAt: new Date(0) });
  });
});
