import { beforeEach, describe, expect, it } from 'vitest';
import { isDuplicateKeyError } from '@strangler/platform';
import type { RowState } from '../features/products/fake-products-store.js';
import type { ProductsStore } from '../features/products/products-store-type.js';
import {
  LegacyIdConflictError,
  type LegacyProductChange,
  type LegacyProductsProjection,
  type LegacyStockChange,
} from '../projection/products-projection-type.js';
import { record, rejection, T0, T1, T2 } from './products-store-contract.js';

export interface ProjectionHarness {
  projection: LegacyProductsProjection;
  /** The products store on the same table: what the public API sees of the projected rows, and products created here. */
  store: ProductsStore;
  /** The row's state beyond the public shape (placeholders included); undefined when there is no row. */
  inspect(id: number): Promise<RowState | undefined>;
  /** Empties the table. */
  reset(): Promise<void>;
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

/** The semantics every LegacyProductsProjection must share; run against the fake and against MariaDB. */
export function describeProductsProjectionContract(name: string, harness: () => ProjectionHarness): void {
  describe(`products projection contract: ${name}`, () => {
    let h: ProjectionHarness;
    let store: ProjectionHarness['store'];
    let projection: ProjectionHarness['projection'];
    beforeEach(async () => {
      h = harness();
      await h.reset();
      store = h.store;
      projection = h.projection;
    });

    describe('projection from legacy', () => {
      it('a product event creates the product under legacy’s id, stock 0/0 until its stock arrives; a replay is a no-op', async () => {
        expect(await projection.upsertProductFromLegacy(legacyProduct(42))).toBe('inserted');
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
        expect(await projection.upsertProductFromLegacy(legacyProduct(42))).toBe('unchanged');
        expect(await store.findById(42)).toEqual(expected);
        expect((await h.inspect(42))?.version).toBe(1);
      });

      it('a newer product event updates (version +1); its replay is unchanged; an older one is stale', async () => {
        await projection.upsertProductFromLegacy(legacyProduct(7));
        const newer = legacyProduct(7, { name: 'Renamed', priceMinor: 1, active: false, updatedAt: T2 });
        expect(await projection.upsertProductFromLegacy(newer)).toBe('updated');
        expect(await projection.upsertProductFromLegacy(newer)).toBe('unchanged');
        expect(await projection.upsertProductFromLegacy(legacyProduct(7))).toBe('stale');
        expect(await store.findById(7)).toMatchObject({ name: 'Renamed', price: { amountMinor: 1, currency: 'USD' }, active: false, updatedAt: T2 });
        expect((await h.inspect(7))?.version).toBe(2);
      });

      it('a product event with the same updatedAt but other values is applied (it cannot be ordered, so it wins)', async () => {
        await projection.upsertProductFromLegacy(legacyProduct(7));
        expect(await projection.upsertProductFromLegacy(legacyProduct(7, { description: 'Edited in place' }))).toBe('updated');
        expect((await store.findById(7))?.description).toBe('Edited in place');
        expect((await h.inspect(7))?.version).toBe(2);
      });

      it('stock before its product: kept in an invisible placeholder, which the product event fills in', async () => {
        expect(await projection.upsertStockFromLegacy(legacyStock(9))).toBe('inserted');
        expect(await h.inspect(9)).toEqual({ legacyId: 9, placeholder: true, version: 1, quantity: 12, reserved: 3, stockUpdatedAt: T1 });
        // The public side does not see it.
        expect(await store.findById(9)).toBeUndefined();
        expect(await store.findStock(9)).toBeUndefined();
        expect(await store.list({ limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
        expect(await store.update(9, { name: 'x', updatedAt: T2 })).toBeUndefined();
        expect(await store.updateStock(9, () => 100, T2)).toBeUndefined();
        expect(await store.delete(9)).toBe(false);
        expect(await projection.upsertStockFromLegacy(legacyStock(9))).toBe('unchanged');
        expect((await h.inspect(9))?.version).toBe(1);

        // The product's own timestamps may be older than the stock's: a placeholder takes any product event.
        expect(await projection.upsertProductFromLegacy(legacyProduct(9, { updatedAt: T0 }))).toBe('updated');
        expect(await store.findById(9)).toMatchObject({ id: 9, sku: 'LEG-9', createdAt: T0, updatedAt: T0 });
        expect(await store.findStock(9)).toEqual({ productId: 9, quantity: 12, reserved: 3 });
        expect(await h.inspect(9)).toEqual({ legacyId: 9, placeholder: false, version: 2, quantity: 12, reserved: 3, stockUpdatedAt: T1 });
        expect(await projection.upsertProductFromLegacy(legacyProduct(9, { updatedAt: T0 }))).toBe('unchanged');
        expect(await projection.upsertStockFromLegacy(legacyStock(9))).toBe('unchanged');
        expect((await h.inspect(9))?.version).toBe(2);
      });

      it('product before its stock: the stock event fills the stock in, however old the product is', async () => {
        await projection.upsertProductFromLegacy(legacyProduct(5, { updatedAt: T2 }));
        expect(await projection.upsertStockFromLegacy(legacyStock(5, { updatedAt: T0 }))).toBe('updated');
        expect(await store.findStock(5)).toEqual({ productId: 5, quantity: 12, reserved: 3 });
        expect(await h.inspect(5)).toMatchObject({ version: 2, stockUpdatedAt: T0 });
        expect(await projection.upsertStockFromLegacy(legacyStock(5, { updatedAt: T0 }))).toBe('unchanged');
        expect((await store.findById(5))?.updatedAt).toEqual(T2);
      });

      it('stock events are ordered by their own updatedAt: newer applies, replay and older change nothing', async () => {
        await projection.upsertStockFromLegacy(legacyStock(3, { updatedAt: T1 }));
        expect(await projection.upsertStockFromLegacy(legacyStock(3, { quantity: 20, reserved: 5, updatedAt: T2 }))).toBe('updated');
        expect(await projection.upsertStockFromLegacy(legacyStock(3, { quantity: 20, reserved: 5, updatedAt: T2 }))).toBe('unchanged');
        expect(await projection.upsertStockFromLegacy(legacyStock(3, { quantity: 1, reserved: 0, updatedAt: T1 }))).toBe('stale');
        // Same time, other values (legacy wrote twice within a millisecond): applied.
        expect(await projection.upsertStockFromLegacy(legacyStock(3, { quantity: 21, reserved: 5, updatedAt: T2 }))).toBe('updated');
        expect(await h.inspect(3)).toMatchObject({ quantity: 21, reserved: 5, stockUpdatedAt: T2, version: 3 });
      });

      it('product and stock events do not overwrite each other’s columns', async () => {
        await projection.upsertProductFromLegacy(legacyProduct(4));
        await projection.upsertStockFromLegacy(legacyStock(4, { updatedAt: T2 }));
        await projection.upsertProductFromLegacy(legacyProduct(4, { name: 'Later', updatedAt: T2 }));
        expect(await store.findStock(4)).toEqual({ productId: 4, quantity: 12, reserved: 3 });
        expect(await store.findById(4)).toMatchObject({ name: 'Later', updatedAt: T2 });
        expect((await h.inspect(4))?.version).toBe(3);
      });

      it('deleteByLegacyId removes a product or a placeholder; a replay finds nothing', async () => {
        await projection.upsertProductFromLegacy(legacyProduct(1));
        await projection.upsertStockFromLegacy(legacyStock(1));
        await projection.upsertStockFromLegacy(legacyStock(2));
        expect(await projection.deleteByLegacyId(1)).toBe(true);
        expect(await projection.deleteByLegacyId(2)).toBe(true);
        expect(await h.inspect(1)).toBeUndefined();
        expect(await h.inspect(2)).toBeUndefined();
        expect(await store.findById(1)).toBeUndefined();
        expect(await projection.deleteByLegacyId(1)).toBe(false);
      });

      it('never touches a product created through this service’s API, even when its id is a legacy id', async () => {
        const own = await store.insert(record('OWN-1'));
        const conflict = await rejection(projection.upsertProductFromLegacy(legacyProduct(own.id)));
        expect(conflict).toBeInstanceOf(LegacyIdConflictError);
        expect(conflict).toMatchObject({ code: 'LEGACY_ID_CONFLICT', legacyId: own.id });
        expect(await rejection(projection.upsertStockFromLegacy(legacyStock(own.id)))).toBeInstanceOf(LegacyIdConflictError);
        expect(await projection.deleteByLegacyId(own.id)).toBe(false);
        expect(await store.findById(own.id)).toEqual(own);
        expect(await h.inspect(own.id)).toMatchObject({ legacyId: null, version: 1, quantity: 0 });
      });

      it('own products get ids above every projected id', async () => {
        await projection.upsertStockFromLegacy(legacyStock(100));
        await projection.upsertProductFromLegacy(legacyProduct(50));
        expect((await store.insert(record('OWN-1'))).id).toBeGreaterThan(100);
      });

      it('a sku held by another product rejects with a duplicate-key error, changing nothing', async () => {
        await projection.upsertProductFromLegacy(legacyProduct(1, { sku: 'SAME' }));
        await projection.upsertStockFromLegacy(legacyStock(2));
        expect(isDuplicateKeyError(await rejection(projection.upsertProductFromLegacy(legacyProduct(2, { sku: 'same' }))))).toBe(true);
        expect(isDuplicateKeyError(await rejection(projection.upsertProductFromLegacy(legacyProduct(3, { sku: 'SAME' }))))).toBe(true);
        expect(await h.inspect(2)).toMatchObject({ placeholder: true, version: 1 });
        expect(await h.inspect(3)).toBeUndefined();
      });

      it('refuses ids that legacy cannot have', async () => {
        for (const bad of [0, -1, 1.5, 2 ** 32, Number.NaN]) {
          expect(await rejection(projection.upsertProductFromLegacy(legacyProduct(bad)))).toBeInstanceOf(RangeError);
          expect(await rejection(projection.upsertStockFromLegacy(legacyStock(bad)))).toBeInstanceOf(RangeError);
          expect(await rejection(projection.deleteByLegacyId(bad))).toBeInstanceOf(RangeError);
        }
      });
    });
  });
}
