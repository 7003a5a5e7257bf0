import { describe, expect, it } from 'vitest';
import { describeUsersProjectionContract } from '../testing/users-projection-contract.js';
import { FakeUsersProjection } from './fake-users-projection.js';

describeUsersProjectionContract('FakeUsersProjection', () => {
  const fake = new FakeUsersProjection();
  return { projection: fake, store: fake, async reset() {} };
});

describe('FakeUsersProjection specifics', () => {
  it('records the legacy link of projected accounts only', async () => {
    const store = new FakeUsersProjection();
    const native = await store.insert({ email: 'n@example.com', fullName: 'N', passwordHash: 'h', createdAt: new Date(0) });
    await store.upsertFromLegacy({
      legacyId: 77,
      email: 'l@example.com',
      fullName: 'L',
      status: 'active',
      passwordHash: 'h',
      createdAt: new Date(0),
      updatedAt: new Date(0),
    });
    expect(store.peek(native.id)?.legacyId).toBeNull();
    expect(store.peek(77)?.legacyId).toBe(77);
  });
});
