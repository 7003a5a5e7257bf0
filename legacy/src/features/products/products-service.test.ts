import { describe, expect, it } from 'vitest';
import { createFakeProductsService } from './create-products-service.js';
import type { CreateProductInput } from './products-service.js';

const T0 = new Date('2024-01-01T10:00:00.000Z');
const T1 = new Date('2024-01-02T11:30:00.500Z');

function setup() {
  let now = T0;
  const { service, store } = createFakeProductsService({ now: () => now });
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
      const { service } = setup();
      const product = await service.create(kettle);
      expect(product).toEqual({ id: 1, ...kettle, createdAt: T0, updatedAt: T0 });
      expect(await service.getStock(product.id)).toEqual({ productId: 1, quantity: 0, reserved: 0 });
    });

    it('refuses a taken sku with SKU_TAKEN', async () => {
      const { service } = setup();
      await service.create(kettle);
      await expect(service.create({ ...kettle, name: 'Other' })).rejects.toMatchObject({ statusCode: 409, code: 'SKU_TAKEN' });
      expect((await service.list({ page: 1, pageSize: 20 })).total).toBe(1);
    });
  });

  describe('get', () => {
    it('returns the product or PRODUCT_NOT_FOUND', async () => {
      const { service } = setup();
      const created = await service.create(kettle);
      expect(await service.get(created.id)).toEqual(created);
      await expect(service.get(99)).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
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
    it('changes only the given fields, replaces the price and bumps updatedAt', async () => {
      const { service, setNow } = setup();
      const created = await service.create(kettle);
      setNow(T1);
      const updated = await service.update(created.id, { name: 'Kettle 2', price: { amountMinor: 100, currency: 'USD' } });
      expect(updated).toEqual({ ...created, name: 'Kettle 2', price: { amountMinor: 100, currency: 'USD' }, updatedAt: T1 });
      expect(await service.get(created.id)).toEqual(updated);
    });

    it('keeps its own sku, refuses another product’s sku with SKU_TAKEN', async () => {
      const { service } = setup();
      const a = await service.create(kettle);
      await service.create({ ...kettle, sku: 'MUG-1' });
      expect((await service.update(a.id, { sku: 'KET-1' })).sku).toBe('KET-1');
      await expect(service.update(a.id, { sku: 'MUG-1' })).rejects.toMatchObject({ statusCode: 409, code: 'SKU_TAKEN' });
      expect((await service.get(a.id)).sku).toBe('KET-1');
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
      const { service } = setup();
      const created = await service.create(kettle);
      await service.delete(created.id);
      await expect(service.get(created.id)).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
      await expect(service.getStock(created.id)).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
    });

    it('refuses a product that orders reference with PRODUCT_HAS_ORDERS, and an unknown one with 404', async () => {
      const { service, store } = setup();
      const created = await service.create(kettle);
      store.markOrdered(created.id);
      await expect(service.delete(created.id)).rejects.toMatchObject({ statusCode: 409, code: 'PRODUCT_HAS_ORDERS' });
      expect(await service.get(created.id)).toEqual(created);
      await expect(service.delete(99)).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
    });

    it('maps a referenced-row error (order placed after the check) to PRODUCT_HAS_ORDERS', async () => {
      const { service, store } = setup();
      const created = await service.create(kettle);
      const hasOrderItems = store.hasOrderItems.bind(store);
      store.hasOrderItems = async (id) => {
        const result = await hasOrderItems(id);
        store.markOrdered(id);
        return result;
      };
      await expect(service.delete(created.id)).rejects.toMatchObject({ statusCode: 409, code: 'PRODUCT_HAS_ORDERS' });
    });
  });

  describe('stock', () => {
    it('sets the quantity and keeps what is reserved', async () => {
      const { service, store } = setup();
      const created = await service.create(kettle);
      store.setReserved(created.id, 3);
      expect(await service.setStock(created.id, 10)).toEqual({ productId: created.id, quantity: 10, reserved: 3 });
      expect(await service.setStock(created.id, 3)).toEqual({ productId: created.id, quantity: 3, reserved: 3 });
      expect(await service.getStock(created.id)).toEqual({ productId: created.id, quantity: 3, reserved: 3 });
    });

    it('refuses a quantity below what is reserved with STOCK_BELOW_RESERVED, changing nothing', async () => {
      const { service, store } = setup();
      const created = await service.create(kettle);
      await service.setStock(created.id, 10);
      store.setReserved(created.id, 4);
      await expect(service.setStock(created.id, 3)).rejects.toMatchObject({ statusCode: 409, code: 'STOCK_BELOW_RESERVED' });
      expect(await service.getStock(created.id)).toEqual({ productId: created.id, quantity: 10, reserved: 4 });
    });

    it('reports an unknown product as PRODUCT_NOT_FOUND', async () => {
      const { service } = setup();
      await expect(service.getStock(7)).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
      await expect(service.setStock(7, 1)).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
    });
  });
});
