import { beforeEach, describe, expect, it } from 'vitest';
import { isDuplicateKeyError } from '@strangler/platform';
import type { RowState } from '../features/products/fake-products-store.js';
import type { NewProductRecord, ProductsStore } from '../features/products/products-store-type.js';

export interface StoreHarness {
  store: ProductsStore;
  /** The row's state beyond the public shape (placeholders included); undefined when there is no row. */
  inspect(id: number): Promise<RowState | undefined>;
  /** Open orders hold this many units (in production only the projector writes `reserved`). */
  setReserved(id: number, reserved: number): Promise<void>;
  /** Empties the table. */
  reset(): Promise<void>;
}

// Shared with the projection's contract (products-projection-contract.ts), which runs on the same table.
export const T0 = new Date('2024-03-01T10:20:30.123Z');
export const T1 = new Date('2024-03-02T11:22:33.456Z');
export const T2 = new Date('2024-03-03T12:24:36.789Z');

export function record(sku: string, overrides: Partial<NewProductRecord> = {}): NewProductRecord {
  return { sku, name: `Name of ${sku}`, description: `About ${sku}`, price: { amountMinor: 1999, currency: 'EUR' }, active: true, createdAt: T0, ...overrides };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

/** The semantics every products store must share; run against the fake and against MariaDB. */
export function describeProductsStoreContract(name: string, harness: () => StoreHarness): void {
  describe(`products store contract: ${name}`, () => {
    let h: StoreHarness;
    let store: StoreHarness['store'];
    beforeEach(async () => {
      h = harness();
      await h.reset();
      store = h.store;
    });

    describe('public side', () => {
      it('inserts with version 1, empty stock, both timestamps from the record, increasing ids', async () => {
        const a = await store.insert(record('A-1'));
        const b = await store.insert(record('B-1', { active: false, description: '' }));
        expect(a).toEqual({
          id: expect.any(Number),
          sku: 'A-1',
          name: 'Name of A-1',
          description: 'About A-1',
          price: { amountMinor: 1999, currency: 'EUR' },
          active: true,
          createdAt: T0,
          updatedAt: T0,
        });
        expect(b).toMatchObject({ active: false, description: '' });
        expect(b.id).toBeGreaterThan(a.id);
        expect(await store.findById(a.id)).toEqual(a);
        expect(await store.findStock(a.id)).toEqual({ productId: a.id, quantity: 0, reserved: 0 });
        expect(await h.inspect(a.id)).toEqual({ legacyId: null, placeholder: false, version: 1, quantity: 0, reserved: 0, stockUpdatedAt: T0 });
      });

      it('rejects a duplicate sku case-insensitively, on insert and on update, changing nothing', async () => {
        const a = await store.insert(record('DUP-1'));
        const b = await store.insert(record('OTHER-1'));
        expect(isDuplicateKeyError(await rejection(store.insert(record('dup-1'))))).toBe(true);
        expect(isDuplicateKeyError(await rejection(store.update(b.id, { sku: 'DUP-1', name: 'x', updatedAt: T1 })))).toBe(true);
        expect(await store.findById(b.id)).toEqual(b);
        expect((await h.inspect(b.id))?.version).toBe(1);
        expect((await store.list({ limit: 10, offset: 0 })).items).toEqual([a, b]);
      });

      it('updates only the given fields, sets updatedAt and bumps the version; undefined for an unknown id', async () => {
        const a = await store.insert(record('A-1'));
        const updated = await store.update(a.id, { name: 'Renamed', price: { amountMinor: 5, currency: 'USD' }, updatedAt: T1 });
        expect(updated).toEqual({ ...a, name: 'Renamed', price: { amountMinor: 5, currency: 'USD' }, updatedAt: T1 });
        expect(await store.findById(a.id)).toEqual(updated);
        expect((await store.update(a.id, { sku: 'A-1', updatedAt: T2 }))?.updatedAt).toEqual(T2);
        expect((await h.inspect(a.id))?.version).toBe(3);
        expect(await store.update(2_147_483_647, { name: 'x', updatedAt: T1 })).toBeUndefined();
      });

      it('deletes a product with its stock; false for an unknown id', async () => {
        const a = await store.insert(record('A-1'));
        expect(await store.delete(a.id)).toBe(true);
        expect(await store.findById(a.id)).toBeUndefined();
        expect(await store.findStock(a.id)).toBeUndefined();
        expect(await h.inspect(a.id)).toBeUndefined();
        expect(await store.delete(a.id)).toBe(false);
      });

      it('lists by id, pages, counts all matches; searches case- and accent-insensitively, wildcards literally', async () => {
        const tea = await store.insert(record('TEA-1', { name: 'Green Tea' }));
        const cafe = await store.insert(record('CAF-1', { name: 'Café Crème' }));
        const towel = await store.insert(record('PCT-1', { name: '100% cotton_towel' }));
        const page = await store.list({ limit: 2, offset: 1 });
        expect(page).toEqual({ items: [cafe, towel], total: 3 });
        const skus = async (q: string): Promise<string[]> => (await store.list({ q, limit: 10, offset: 0 })).items.map((p) => p.sku);
        expect(await skus('tEA')).toEqual(['TEA-1']);
        expect(await skus('pct-')).toEqual(['PCT-1']);
        expect(await skus('CAFE CREME')).toEqual(['CAF-1']);
        expect(await skus('%')).toEqual(['PCT-1']);
        expect(await skus('n_t')).toEqual(['PCT-1']);
        expect(await skus('gr_en')).toEqual([]);
        expect((await store.list({ q: 'e', limit: 1, offset: 0 })).total).toBe(3);
        expect(tea.id).toBeLessThan(cafe.id);
      });

      it('updateStock: decides on the current stock, writes quantity and stock time, bumps the version', async () => {
        const a = await store.insert(record('A-1'));
        await h.setReserved(a.id, 4);
        const before = (await h.inspect(a.id))?.version ?? 0;
        const seen: unknown[] = [];
        const stock = await store.updateStock(
          a.id,
          (current) => {
            seen.push(current);
            return 10;
          },
          T1,
        );
        expect(seen).toEqual([{ productId: a.id, quantity: 0, reserved: 4 }]);
        expect(stock).toEqual({ productId: a.id, quantity: 10, reserved: 4 });
        expect(await store.findStock(a.id)).toEqual(stock);
        expect(await h.inspect(a.id)).toMatchObject({ quantity: 10, reserved: 4, stockUpdatedAt: T1, version: before + 1 });
        // The product part is untouched.
        expect(await store.findById(a.id)).toEqual(a);
      });

      it('updateStock: a throwing decision changes nothing; an unknown id is undefined', async () => {
        const a = await store.insert(record('A-1'));
        const refused = new Error('refused');
        expect(await rejection(store.updateStock(a.id, () => { throw refused; }, T1))).toBe(refused);
        expect(await h.inspect(a.id)).toMatchObject({ quantity: 0, stockUpdatedAt: T0, version: 1 });
        expect(await store.updateStock(999_999, () => 1, T1)).toBeUndefined();
      });
    });
  });
}
