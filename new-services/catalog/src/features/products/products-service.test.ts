import { describe, expect, it } from 'vitest';
import { FakeProductsProjection } from '../../projection/fake-products-projection.js';
import { ProductsService, type CreateProductInput } from './products-service.js';

const T0 = new Date('2024-01-01T10:00:00.000Z');
const T1 = new Date('2024-01-02T11:30:00.500Z');

function setup() {
  let now = T0;
  // The fake store with the projection's writes on top: some cases need rows projected from legacy.
  const store = new FakeProductsProjection();
  const service = new ProductsService(store, { now: () => now });
  return { service, store, setNow: (date: Date) => (now = date) };
}

const kettle: CreateProductInput = {
  sku: 'KET-1',
  name: 'Kettle',
  description: 'Boils water',
  price: { amountMinor: 2599, currency: 'EUR' },
  active: true,
};

describe('ProductsService (fake store)', () => {
  describe('create', () => {
    it('creates the product with an empty stock and the clock as created/updated time', async () => {
      const { service, store } = setup();
      const product = await service.create(kettle);
      expect(product).toEqual({ id: 1, ...kettle, createdAt: T0, updatedAt: T0 });
      expect(await service.getStock(product.id)).toEqual({ productId: 1, quantity: 0, reserved: 0 });
      expect(store.inspect(product.id)).toMatchObject({ version: 1, legacyId: null, stockUpdatedAt: T0 });
    });

    it('refuses a taken sku (in any case) with SKU_TAKEN', async () => {
      const { service } = setup();
      await service.create(kettle);
      await expect(service.create({ ...kettle, name: 'Other' })).rejects.toMatchObject({ statusCode: 409, code: 'SKU_TAKEN', message: 'SKU KET-1 is already taken' });
      await expect(service.create({ ...kettle, sku: 'ket-1' })).rejects.toMatchObject({ statusCode: 409, code: 'SKU_TAKEN' });
      expect((await service.list({ page: 1, pageSize: 20 })).total).toBe(1);
    });
  });

  describe('get', () => {
    it('returns the product or PRODUCT_NOT_FOUND', async () => {
      const { service } = setup();
      const created = await service.create(kettle);
      expect(await service.get(created.id)).toEqual(created);
      await expect(service.get(99)).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND', message: 'Product 99 not found' });
    });

    it('does not know a stock-only placeholder (legacy stock whose product has not arrived)', async () => {
      const { service, store } = setup();
      await store.upsertStockFromLegacy({ legacyProductId: 5, quantity: 3, reserved: 0, updatedAt: T0 });
      await expect(service.get(5)).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
      await expect(service.getStock(5)).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
      await expect(service.setStock(5, 10)).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
      await expect(service.update(5, { name: 'x' })).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
      await expect(service.delete(5)).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
      expect(store.inspect(5)).toMatchObject({ placeholder: true, quantity: 3, version: 1 });
    });
  });

  describe('list', () => {
    it('pages by id ascending and counts all matches', async () => {
      const { service } = setup();
      for (let i = 1; i <= 5; i++) await service.create({ ...kettle, sku: `SKU-${i}`, name: `Item ${i}` });
      const page = await service.list({ page: 2, pageSize: 2 });
      expect(page.items.map((p) => p.id)).toEqual([3, 4]);
      expect(page).toMatchObject({ page: 2, pageSize: 2, total: 5 });
      expect((await service.list({ page: 4, pageSize: 2 })).items).toEqual([]);
    });

    it('filters case-insensitively on name or sku, taking wildcards literally', async () => {
      const { service } = setup();
      await service.create({ ...kettle, sku: 'TEA-1', name: 'Green Tea' });
      await service.create({ ...kettle, sku: 'MUG-1', name: 'Mug' });
      await service.create({ ...kettle, sku: 'PCT-1', name: '100% cotton_towel' });
      expect((await service.list({ q: 'tea', page: 1, pageSize: 20 })).items.map((p) => p.sku)).toEqual(['TEA-1']);
      expect((await service.list({ q: 'mug-', page: 1, pageSize: 20 })).items.map((p) => p.sku)).toEqual(['MUG-1']);
      expect((await service.list({ q: '%', page: 1, pageSize: 20 })).items.map((p) => p.sku)).toEqual(['PCT-1']);
      expect((await service.list({ q: 'gr_en', page: 1, pageSize: 20 })).total).toBe(0);
      expect((await service.list({ q: 'n_t', page: 1, pageSize: 20 })).items.map((p) => p.sku)).toEqual(['PCT-1']);
    });
  });

  describe('update', () => {
    it('changes only the given fields, replaces the price, bumps updatedAt and the version', async () => {
      const { service, store, setNow } = setup();
      const created = await service.create(kettle);
      setNow(T1);
      const updated = await service.update(created.id, { name: 'Kettle 2', price: { amountMinor: 100, currency: 'USD' } });
      expect(updated).toEqual({ ...created, name: 'Kettle 2', price: { amountMinor: 100, currency: 'USD' }, updatedAt: T1 });
      expect(await service.get(created.id)).toEqual(updated);
      expect(store.inspect(created.id)?.version).toBe(2);
    });

    it('keeps its own sku, refuses another product’s sku with SKU_TAKEN', async () => {
      const { service, store } = setup();
      const a = await service.create(kettle);
      await service.create({ ...kettle, sku: 'MUG-1' });
      expect((await service.update(a.id, { sku: 'KET-1' })).sku).toBe('KET-1');
      await expect(service.update(a.id, { sku: 'MUG-1' })).rejects.toMatchObject({ statusCode: 409, code: 'SKU_TAKEN' });
      expect((await service.get(a.id)).sku).toBe('KET-1');
      expect(store.inspect(a.id)?.version).toBe(2);
    });

    it('reports an unknown product as PRODUCT_NOT_FOUND, even with a taken sku', async () => {
      const { service } = setup();
      await service.create(kettle);
      await expect(service.update(42, { name: 'x' })).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
      await expect(service.update(42, { sku: 'KET-1' })).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
    });
  });

  describe('delete', () => {
    it('deletes the product and its stock', async () => {
      const { service, store } = setup();
      const created = await service.create(kettle);
      await service.delete(created.id);
      await expect(service.get(created.id)).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
      await expect(service.getStock(created.id)).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
      expect(store.inspect(created.id)).toBeUndefined();
    });

    it('deletes a product whatever is reserved (orders live in the monolith); 404 for an unknown one', async () => {
      const { service, store } = setup();
      const created = await service.create(kettle);
      store.setReserved(created.id, 2);
      await service.delete(created.id);
      expect(store.inspect(created.id)).toBeUndefined();
      await expect(service.delete(created.id)).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
    });
  });

  describe('stock', () => {
    it('sets the quantity, keeps what is reserved, records when and bumps the version', async () => {
      const { service, store, setNow } = setup();
      const created = await service.create(kettle);
      store.setReserved(created.id, 3);
      setNow(T1);
      expect(await service.setStock(created.id, 10)).toEqual({ productId: created.id, quantity: 10, reserved: 3 });
      expect(await service.setStock(created.id, 3)).toEqual({ productId: created.id, quantity: 3, reserved: 3 });
      expect(await service.getStock(created.id)).toEqual({ productId: created.id, quantity: 3, reserved: 3 });
      expect(store.inspect(created.id)).toMatchObject({ stockUpdatedAt: T1, version: 4 });
      // The product itself did not change.
      expect((await service.get(created.id)).updatedAt).toEqual(T0);
    });

    it('refuses a quantity below what is reserved with STOCK_BELOW_RESERVED, changing nothing', async () => {
      const { service, store } = setup();
      const created = await service.create(kettle);
      await service.setStock(created.id, 10);
      store.setReserved(created.id, 4);
      const version = store.inspect(created.id)?.version;
      await expect(service.setStock(created.id, 3)).rejects.toMatchObject({
        statusCode: 409,
        code: 'STOCK_BELOW_RESERVED',
        message: 'Quantity 3 is below the 4 units reserved by open orders',
      });
      expect(await service.getStock(created.id)).toEqual({ productId: created.id, quantity: 10, reserved: 4 });
      expect(store.inspect(created.id)?.version).toBe(version);
    });

    it('reports an unknown product as PRODUCT_NOT_FOUND', async () => {
      const { service } = setup();
      await expect(service.getStock(7)).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
      await expect(service.setStock(7, 1)).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
    });

    it('serves stock projected from legacy', async () => {
      const { service, store } = setup();
      await store.upsertProductFromLegacy({
        legacyId: 8, sku: 'L-8', name: 'Legacy', description: '', priceMinor: 1, currency: 'EUR', active: true, createdAt: T0, updatedAt: T0,
      });
      expect(await service.getStock(8)).toEqual({ productId: 8, quantity: 0, reserved: 0 });
      await store.upsertStockFromLegacy({ legacyProductId: 8, quantity: 6, reserved: 5, updatedAt: T1 });
      expect(await service.getStock(8)).toEqual({ productId: 8, quantity: 6, reserved: 5 });
      await expect(service.setStock(8, 4)).rejects.toMatchObject({ code: 'STOCK_BELOW_RESERVED' });
    });
  });
});
