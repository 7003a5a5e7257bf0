import { beforeEach, describe, expect, it } from 'vitest';
import { isDuplicateKeyError } from '@strangler/platform';
import type { RowState } from './fake-products-store.js';
import {
  LegacyIdConflictError,
  type LegacyProductChange,
  type LegacyProductsProjection,
  type LegacyStockChange,
  type NewProductRecord,
  type ProductsStore,
} from './products-store-type.js';

export interface StoreHarness {
  store: ProductsStore & LegacyProductsProjection;
  /** The row's state beyond the public shape (placeholders included); undefined when there is no row. */
  inspect(id: number): Promise<RowState | undefined>;
  /** Open orders hold this many units (in production only the projector writes `reserved`). */
  setReserved(id: number, reserved: number): Promise<void>;
  /** Empties the table. */
  reset(): Promise<void>;
}

const T0 = new Date('2024-03-01T10:20:30.123Z');
const T1 = new Date('2024-03-02T11:22:33.456Z');
const T2 = new Date('2024-03-03T12:24:36.789Z');

function record(sku: string, overrides: Partial<NewProductRecord> = {}): NewProductRecord {
  return { sku, name: `Name of ${sku}`, description: `About ${sku}`, price: { amountMinor: 1999, currency: 'EUR' }, active: true, createdAt: T0, ...overrides };
}

function legacyProduct(legacyId: number, overrides: Partial<LegacyProductChange> = {}): LegacyProductChange {
  return {
    legacyId,
    sku: `LEG-${legacyId}`,
    name: `Legacy ${legacyId}`,
    description: 'From the monolith',
    priceMinor: 4999,
    currency: 'USD',
    active: true,
    createdAt: T0,
    updatedAt: T1,
    ...overrides,
  };
}

function legacyStock(legacyProductId: number, overrides: Partial<LegacyStockChange> = {}): LegacyStockChange {
  return { legacyProductId, quantity: 12, reserved: 3, updatedAt: T1, ...overrides };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
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

    describe('projection from legacy', () => {
      it('a product event creates the product under legacy’s id, stock 0/0 until its stock arrives; a replay is a no-op', async () => {
        expect(await store.upsertProductFromLegacy(legacyProduct(42))).toBe('inserted');
        const expected = {
          id: 42,
          sku: 'LEG-42',
          name: 'Legacy 42',
          description: 'From the monolith',
          price: { amountMinor: 4999, currency: 'USD' },
          active: true,
          createdAt: T0,
          updatedAt: T1,
        };
        expect(await store.findById(42)).toEqual(expected);
        expect(await store.findStock(42)).toEqual({ productId: 42, quantity: 0, reserved: 0 });
        expect(await h.inspect(42)).toEqual({ legacyId: 42, placeholder: false, version: 1, quantity: 0, reserved: 0, stockUpdatedAt: null });
        expect(await store.upsertProductFromLegacy(legacyProduct(42))).toBe('unchanged');
        expect(await store.findById(42)).toEqual(expected);
        expect((await h.inspect(42))?.version).toBe(1);
      });

      it('a newer product event updates (version +1); its replay is unchanged; an older one is stale', async () => {
        await store.upsertProductFromLegacy(legacyProduct(7));
        const newer = legacyProduct(7, { name: 'Renamed', priceMinor: 1, active: false, updatedAt: T2 });
        expect(await store.upsertProductFromLegacy(newer)).toBe('updated');
        expect(await store.upsertProductFromLegacy(newer)).toBe('unchanged');
        expect(await store.upsertProductFromLegacy(legacyProduct(7))).toBe('stale');
        expect(await store.findById(7)).toMatchObject({ name: 'Renamed', price: { amountMinor: 1, currency: 'USD' }, active: false, updatedAt: T2 });
        expect((await h.inspect(7))?.version).toBe(2);
      });

      it('a product event with the same updatedAt but other values is applied (it cannot be ordered, so it wins)', async () => {
        await store.upsertProductFromLegacy(legacyProduct(7));
        expect(await store.upsertProductFromLegacy(legacyProduct(7, { description: 'Edited in place' }))).toBe('updated');
        expect((await store.findById(7))?.description).toBe('Edited in place');
        expect((await h.inspect(7))?.version).toBe(2);
      });

      it('stock before its product: kept in an invisible placeholder, which the product event fills in', async () => {
        expect(await store.upsertStockFromLegacy(legacyStock(9))).toBe('inserted');
        expect(await h.inspect(9)).toEqual({ legacyId: 9, placeholder: true, version: 1, quantity: 12, reserved: 3, stockUpdatedAt: T1 });
        // The public side does not see it.
        expect(await store.findById(9)).toBeUndefined();
        expect(await store.findStock(9)).toBeUndefined();
        expect(await store.list({ limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
        expect(await store.update(9, { name: 'x', updatedAt: T2 })).toBeUndefined();
        expect(await store.updateStock(9, () => 100, T2)).toBeUndefined();
        expect(await store.delete(9)).toBe(false);
        expect(await store.upsertStockFromLegacy(legacyStock(9))).toBe('unchanged');
        expect((await h.inspect(9))?.version).toBe(1);

        // The product's own timestamps may be older than the stock's: a placeholder takes any product event.
        expect(await store.upsertProductFromLegacy(legacyProduct(9, { updatedAt: T0 }))).toBe('updated');
        expect(await store.findById(9)).toMatchObject({ id: 9, sku: 'LEG-9', createdAt: T0, updatedAt: T0 });
        expect(await store.findStock(9)).toEqual({ productId: 9, quantity: 12, reserved: 3 });
        expect(await h.inspect(9)).toEqual({ legacyId: 9, placeholder: false, version: 2, quantity: 12, reserved: 3, stockUpdatedAt: T1 });
        expect(await store.upsertProductFromLegacy(legacyProduct(9, { updatedAt: T0 }))).toBe('unchanged');
        expect(await store.upsertStockFromLegacy(legacyStock(9))).toBe('unchanged');
        expect((await h.inspect(9))?.version).toBe(2);
      });

      it('product before its stock: the stock event fills the stock in, however old the product is', async () => {
        await store.upsertProductFromLegacy(legacyProduct(5, { updatedAt: T2 }));
        expect(await store.upsertStockFromLegacy(legacyStock(5, { updatedAt: T0 }))).toBe('updated');
        expect(await store.findStock(5)).toEqual({ productId: 5, quantity: 12, reserved: 3 });
        expect(await h.inspect(5)).toMatchObject({ version: 2, stockUpdatedAt: T0 });
        expect(await store.upsertStockFromLegacy(legacyStock(5, { updatedAt: T0 }))).toBe('unchanged');
        expect((await store.findById(5))?.updatedAt).toEqual(T2);
      });

      it('stock events are ordered by their own updatedAt: newer applies, replay and older change nothing', async () => {
        await store.upsertStockFromLegacy(legacyStock(3, { updatedAt: T1 }));
        expect(await store.upsertStockFromLegacy(legacyStock(3, { quantity: 20, reserved: 5, updatedAt: T2 }))).toBe('updated');
        expect(await store.upsertStockFromLegacy(legacyStock(3, { quantity: 20, reserved: 5, updatedAt: T2 }))).toBe('unchanged');
        expect(await store.upsertStockFromLegacy(legacyStock(3, { quantity: 1, reserved: 0, updatedAt: T1 }))).toBe('stale');
        // Same time, other values (legacy wrote twice within a millisecond): applied.
        expect(await store.upsertStockFromLegacy(legacyStock(3, { quantity: 21, reserved: 5, updatedAt: T2 }))).toBe('updated');
        expect(await h.inspect(3)).toMatchObject({ quantity: 21, reserved: 5, stockUpdatedAt: T2, version: 3 });
      });

      it('product and stock events do not overwrite each other’s columns', async () => {
        await store.upsertProductFromLegacy(legacyProduct(4));
        await store.upsertStockFromLegacy(legacyStock(4, { updatedAt: T2 }));
        await store.upsertProductFromLegacy(legacyProduct(4, { name: 'Later', updatedAt: T2 }));
        expect(await store.findStock(4)).toEqual({ productId: 4, quantity: 12, reserved: 3 });
        expect(await store.findById(4)).toMatchObject({ name: 'Later', updatedAt: T2 });
        expect((await h.inspect(4))?.version).toBe(3);
      });

      it('deleteByLegacyId removes a product or a placeholder; a replay finds nothing', async () => {
        await store.upsertProductFromLegacy(legacyProduct(1));
        await store.upsertStockFromLegacy(legacyStock(1));
        await store.upsertStockFromLegacy(legacyStock(2));
        expect(await store.deleteByLegacyId(1)).toBe(true);
        expect(await store.deleteByLegacyId(2)).toBe(true);
        expect(await h.inspect(1)).toBeUndefined();
        expect(await h.inspect(2)).toBeUndefined();
        expect(await store.findById(1)).toBeUndefined();
        expect(await store.deleteByLegacyId(1)).toBe(false);
      });

      it('never touches a product created through this service’s API, even when its id is a legacy id', async () => {
        const own = await store.insert(record('OWN-1'));
        const conflict = await rejection(store.upsertProductFromLegacy(legacyProduct(own.id)));
        expect(conflict).toBeInstanceOf(LegacyIdConflictError);
        expect(conflict).toMatchObject({ code: 'LEGACY_ID_CONFLICT', legacyId: own.id });
        expect(await rejection(store.upsertStockFromLegacy(legacyStock(own.id)))).toBeInstanceOf(LegacyIdConflictError);
        expect(await store.deleteByLegacyId(own.id)).toBe(false);
        expect(await store.findById(own.id)).toEqual(own);
        expect(await h.inspect(own.id)).toMatchObject({ legacyId: null, version: 1, quantity: 0 });
      });

      it('own products get ids above every projected id', async () => {
        await store.upsertStockFromLegacy(legacyStock(100));
        await store.upsertProductFromLegacy(legacyProduct(50));
        expect((await store.insert(record('OWN-1'))).id).toBeGreaterThan(100);
      });

      it('a sku held by another product rejects with a duplicate-key error, changing nothing', async () => {
        await store.upsertProductFromLegacy(legacyProduct(1, { sku: 'SAME' }));
        await store.upsertStockFromLegacy(legacyStock(2));
        expect(isDuplicateKeyError(await rejection(store.upsertProductFromLegacy(legacyProduct(2, { sku: 'same' }))))).toBe(true);
        expect(isDuplicateKeyError(await rejection(store.upsertProductFromLegacy(legacyProduct(3, { sku: 'SAME' }))))).toBe(true);
        expect(await h.inspect(2)).toMatchObject({ placeholder: true, version: 1 });
        expect(await h.inspect(3)).toBeUndefined();
      });

      it('refuses ids that legacy cannot have', async () => {
        for (const bad of [0, -1, 1.5, 2 ** 32, Number.NaN]) {
          expect(await rejection(store.upsertProductFromLegacy(legacyProduct(bad)))).toBeInstanceOf(RangeError);
          expect(await rejection(store.upsertStockFromLegacy(legacyStock(bad)))).toBeInstanceOf(RangeError);
          expect(await rejection(store.deleteByLegacyId(bad))).toBeInstanceOf(RangeError);
        }
      });
    });
  });
}
