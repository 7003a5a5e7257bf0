import { describe, expect, it } from 'vitest';
import { CATALOG_STATES, USER_STATES } from '../../provider-states.js';
import { catalogStateHandlers, type CatalogStateStore, type ProductSeed } from './catalog-states.js';
import { usersStateHandlers, type UserSeed, type UsersStateStore } from './users-states.js';

function recordingUsersStore() {
  const calls: Array<[string, unknown]> = [];
  const store: UsersStateStore = {
    putUser: async (user: UserSeed) => void calls.push(['putUser', user]),
    removeUser: async (id: number) => void calls.push(['removeUser', id]),
    removeUserByEmail: async (email: string) => void calls.push(['removeUserByEmail', email]),
    tokenFor: async (id: number) => `token-of-${id}`,
  };
  return { store, calls };
}

function recordingCatalogStore() {
  const calls: Array<[string, unknown]> = [];
  const store: CatalogStateStore = {
    putProduct: async (product: ProductSeed) => void calls.push(['putProduct', product]),
    removeProduct: async (id: number) => void calls.push(['removeProduct', id]),
    removeProductBySku: async (sku: string) => void calls.push(['removeProductBySku', sku]),
    removeAllProducts: async () => void calls.push(['removeAllProducts', undefined]),
  };
  return { store, calls };
}

describe('users states', () => {
  it('handles every users state sentence', () => {
    expect(Object.keys(usersStateHandlers(recordingUsersStore().store)).sort()).toEqual(Object.values(USER_STATES).sort());
  });

  it('seed, remove and authenticate through the store, with the parameters from the pact', async () => {
    const { store, calls } = recordingUsersStore();
    const states = usersStateHandlers(store);
    await expect(states[USER_STATES.userExists]!({ id: 10, email: 'ada@example.com', fullName: 'Ada' })).resolves.toBeUndefined();
    await states[USER_STATES.noUserWithId]!({ id: 999999 });
    await states[USER_STATES.noUserWithEmail]!({ email: 'x@example.com' });
    await expect(states[USER_STATES.authenticatedAs]!({ id: 10 })).resolves.toEqual({ token: 'token-of-10' });
    expect(calls).toEqual([
      ['putUser', { id: 10, email: 'ada@example.com', fullName: 'Ada', status: 'active' }],
      ['removeUser', 999999],
      ['removeUserByEmail', 'x@example.com'],
    ]);
  });

  it('refuse parameters that do not describe the state, before touching the store', async () => {
    const { store, calls } = recordingUsersStore();
    const states = usersStateHandlers(store);
    await expect(states[USER_STATES.userExists]!({ id: 'ten', email: 'a@b.c', fullName: 'A' })).rejects.toThrow(/invalid parameters.*id/);
    await expect(states[USER_STATES.noUserWithId]!(undefined)).rejects.toThrow(/invalid parameters/);
    await expect(states[USER_STATES.userExists]!({ id: 1, email: 'a@b.c', fullName: 'A', admin: true })).rejects.toThrow(/admin/);
    expect(calls).toEqual([]);
  });
});

describe('catalog states', () => {
  const lamp = { id: 201, sku: 'LAMP-01', name: 'Lamp', description: 'd', price: { amountMinor: 2599, currency: 'EUR' }, active: true };

  it('handles every catalog state sentence', () => {
    expect(Object.keys(catalogStateHandlers(recordingCatalogStore().store)).sort()).toEqual(Object.values(CATALOG_STATES).sort());
  });

  it('seed a product without stock, a product with stock, and exactly a given catalog', async () => {
    const { store, calls } = recordingCatalogStore();
    const states = catalogStateHandlers(store);
    await states[CATALOG_STATES.productExists]!(lamp);
    await states[CATALOG_STATES.stock]!({ id: 203, quantity: 10, reserved: 3 });
    await states[CATALOG_STATES.onlyProducts]!({ products: [lamp, { ...lamp, id: 202, sku: 'LAMP-02' }] });
    await states[CATALOG_STATES.noProductWithId]!({ id: 9 });
    await states[CATALOG_STATES.noProductWithSku]!({ sku: 'GONE' });
    expect(calls).toEqual([
      ['putProduct', { ...lamp, stock: { quantity: 0, reserved: 0 } }],
      ['putProduct', expect.objectContaining({ id: 203, stock: { quantity: 10, reserved: 3 } })],
      ['removeAllProducts', undefined],
      ['putProduct', { ...lamp, stock: { quantity: 0, reserved: 0 } }],
      ['putProduct', { ...lamp, id: 202, sku: 'LAMP-02', stock: { quantity: 0, reserved: 0 } }],
      ['removeProduct', 9],
      ['removeProductBySku', 'GONE'],
    ]);
  });

  it('refuse impossible stock and malformed products', async () => {
    const { store, calls } = recordingCatalogStore();
    const states = catalogStateHandlers(store);
    await expect(states[CATALOG_STATES.stock]!({ id: 1, quantity: 2, reserved: 5 })).rejects.toThrow(/reserved exceeds quantity/);
    await expect(states[CATALOG_STATES.productExists]!({ ...lamp, price: { amountMinor: 1.5, currency: 'EUR' } })).rejects.toThrow(/price/);
    expect(calls).toEqual([]);
  });
});
