import { describe, expect, it } from 'vitest';
import { createFakeOrdersService } from './create-orders-service.js';

const T0 = new Date('2024-03-01T08:00:00.000Z');
const T1 = new Date('2024-03-02T09:00:00.250Z');
const ALICE = 1;
const BOB = 2;

function setup() {
  let now = T0;
  const { service, store } = createFakeOrdersService({ now: () => now });
  store.addUser(ALICE);
  store.addUser(BOB);
  store.addProduct({ id: 10, amountMinor: 250, quantity: 5 });
  store.addProduct({ id: 11, amountMinor: 1000, quantity: 2, reserved: 1 });
  return { service, store, setNow: (date: Date) => (now = date) };
}

describe('OrdersService (fake store)', () => {
  describe('place', () => {
    it('reserves the stock and records the current prices and total', async () => {
      const { service, store } = setup();
      store.setPrice(10, 300);
      const order = await service.place(ALICE, { items: [{ productId: 11, quantity: 1 }, { productId: 10, quantity: 3 }] });
      expect(order).toEqual({
        id: 1,
        userId: ALICE,
        status: 'pending',
        items: [
          { productId: 11, quantity: 1, unitPrice: { amountMinor: 1000, currency: 'EUR' } },
          { productId: 10, quantity: 3, unitPrice: { amountMinor: 300, currency: 'EUR' } },
        ],
        total: { amountMinor: 1900, currency: 'EUR' },
        createdAt: T0,
        updatedAt: T0,
      });
      expect(store.stockOf(10)).toEqual({ quantity: 5, reserved: 3 });
      expect(store.stockOf(11)).toEqual({ quantity: 2, reserved: 2 });
      expect(await service.get(ALICE, order.id)).toEqual(order);
    });

    it('refuses a product named twice with DUPLICATE_PRODUCT (400)', async () => {
      const { service, store } = setup();
      await expect(
        service.place(ALICE, { items: [{ productId: 10, quantity: 1 }, { productId: 10, quantity: 1 }] }),
      ).rejects.toMatchObject({ statusCode: 400, code: 'DUPLICATE_PRODUCT' });
      expect(store.orderCount()).toBe(0);
    });

    it('refuses when the user row is gone with USER_NOT_FOUND', async () => {
      const { service, store } = setup();
      store.removeUser(ALICE);
      await expect(service.place(ALICE, { items: [{ productId: 10, quantity: 1 }] })).rejects.toMatchObject({
        statusCode: 404,
        code: 'USER_NOT_FOUND',
      });
      expect(store.stockOf(10)).toEqual({ quantity: 5, reserved: 0 });
    });

    it('refuses an unknown product with PRODUCT_NOT_FOUND, reserving nothing', async () => {
      const { service, store } = setup();
      await expect(
        service.place(ALICE, { items: [{ productId: 10, quantity: 1 }, { productId: 99, quantity: 1 }] }),
      ).rejects.toMatchObject({ statusCode: 404, code: 'PRODUCT_NOT_FOUND' });
      expect(store.stockOf(10)).toEqual({ quantity: 5, reserved: 0 });
      expect(store.orderCount()).toBe(0);
    });

    it('refuses an inactive product with PRODUCT_INACTIVE', async () => {
      const { service, store } = setup();
      store.addProduct({ id: 12, amountMinor: 1, active: false, quantity: 9 });
      await expect(service.place(ALICE, { items: [{ productId: 12, quantity: 1 }] })).rejects.toMatchObject({
        statusCode: 409,
        code: 'PRODUCT_INACTIVE',
      });
      expect(store.stockOf(12)).toEqual({ quantity: 9, reserved: 0 });
    });

    it('refuses mixed currencies with CURRENCY_MISMATCH', async () => {
      const { service, store } = setup();
      store.addProduct({ id: 12, amountMinor: 1, currency: 'USD', quantity: 9 });
      await expect(
        service.place(ALICE, { items: [{ productId: 10, quantity: 1 }, { productId: 12, quantity: 1 }] }),
      ).rejects.toMatchObject({ statusCode: 409, code: 'CURRENCY_MISMATCH' });
      expect(store.stockOf(10)).toEqual({ quantity: 5, reserved: 0 });
    });

    it('refuses more than is available with INSUFFICIENT_STOCK and changes nothing', async () => {
      const { service, store } = setup();
      // 11 has quantity 2, reserved 1: one available.
      await expect(
        service.place(ALICE, { items: [{ productId: 10, quantity: 5 }, { productId: 11, quantity: 2 }] }),
      ).rejects.toMatchObject({ statusCode: 409, code: 'INSUFFICIENT_STOCK' });
      expect(store.stockOf(10)).toEqual({ quantity: 5, reserved: 0 });
      expect(store.stockOf(11)).toEqual({ quantity: 2, reserved: 1 });
      expect(store.orderCount()).toBe(0);
    });

    it('treats a product without an inventory row as out of stock', async () => {
      const { service, store } = setup();
      store.addProduct({ id: 12, amountMinor: 1 });
      await expect(service.place(ALICE, { items: [{ productId: 12, quantity: 1 }] })).rejects.toMatchObject({ code: 'INSUFFICIENT_STOCK' });
    });

    it('reports existence before conflicts: an unknown product wins over an inactive one', async () => {
      const { service, store } = setup();
      store.addProduct({ id: 12, amountMinor: 1, active: false, quantity: 1 });
      await expect(
        service.place(ALICE, { items: [{ productId: 12, quantity: 1 }, { productId: 99, quantity: 1 }] }),
      ).rejects.toMatchObject({ code: 'PRODUCT_NOT_FOUND' });
    });

    it('refuses a total beyond 2^53 with ORDER_TOTAL_TOO_LARGE', async () => {
      const { service, store } = setup();
      for (let id = 20; id < 30; id++) store.addProduct({ id, amountMinor: 1e12, quantity: 1000 });
      const items = Array.from({ length: 10 }, (_, i) => ({ productId: 20 + i, quantity: 1000 }));
      await expect(service.place(ALICE, { items })).rejects.toMatchObject({ statusCode: 409, code: 'ORDER_TOTAL_TOO_LARGE' });
      expect(store.stockOf(20)).toEqual({ quantity: 1000, reserved: 0 });
    });

    it('sells the last units exactly once under concurrency', async () => {
      const { service, store } = setup();
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => service.place(BOB, { items: [{ productId: 10, quantity: 1 }] })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5);
      expect(results.filter((r) => r.status === 'rejected').map((r) => (r.reason as { code: string }).code)).toEqual(
        Array(15).fill('INSUFFICIENT_STOCK'),
      );
      expect(store.stockOf(10)).toEqual({ quantity: 5, reserved: 5 });
    });
  });

  describe('get', () => {
    it("reports someone else's order and a missing one as ORDER_NOT_FOUND", async () => {
      const { service } = setup();
      const order = await service.place(ALICE, { items: [{ productId: 10, quantity: 1 }] });
      await expect(service.get(BOB, order.id)).rejects.toMatchObject({ statusCode: 404, code: 'ORDER_NOT_FOUND' });
      await expect(service.get(ALICE, 999)).rejects.toMatchObject({ statusCode: 404, code: 'ORDER_NOT_FOUND' });
    });
  });

  describe('listForUser', () => {
    it('lists only the caller’s orders, newest first, paged', async () => {
      const { service } = setup();
      const first = await service.place(ALICE, { items: [{ productId: 10, quantity: 1 }] });
      await service.place(BOB, { items: [{ productId: 10, quantity: 1 }] });
      const third = await service.place(ALICE, { items: [{ productId: 11, quantity: 1 }] });
      const page = await service.listForUser(ALICE, ALICE, { page: 1, pageSize: 20 });
      expect(page).toEqual({ items: [third, first], page: 1, pageSize: 20, total: 2 });
      expect(await service.listForUser(ALICE, ALICE, { page: 2, pageSize: 1 })).toEqual({ items: [first], page: 2, pageSize: 1, total: 2 });
    });

    it('forbids listing another user’s orders (403 before 404)', async () => {
      const { service } = setup();
      await expect(service.listForUser(BOB, ALICE, { page: 1, pageSize: 20 })).rejects.toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
      await expect(service.listForUser(BOB, 99, { page: 1, pageSize: 20 })).rejects.toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
    });

    it('reports a deleted user as USER_NOT_FOUND', async () => {
      const { service, store } = setup();
      store.removeUser(ALICE);
      await expect(service.listForUser(ALICE, ALICE, { page: 1, pageSize: 20 })).rejects.toMatchObject({ statusCode: 404, code: 'USER_NOT_FOUND' });
    });
  });

  describe('cancel', () => {
    it.each(['pending', 'paid'] as const)('cancels a %s order and releases its reservation', async (status) => {
      const { service, store, setNow } = setup();
      const order = await service.place(ALICE, { items: [{ productId: 10, quantity: 2 }, { productId: 11, quantity: 1 }] });
      store.setStatus(order.id, status);
      setNow(T1);
      const cancelled = await service.cancel(ALICE, order.id);
      expect(cancelled).toEqual({ ...order, status: 'cancelled', updatedAt: T1 });
      expect(store.stockOf(10)).toEqual({ quantity: 5, reserved: 0 });
      expect(store.stockOf(11)).toEqual({ quantity: 2, reserved: 1 });
    });

    it.each(['shipped', 'cancelled'] as const)('refuses a %s order with ILLEGAL_STATUS_TRANSITION, changing nothing', async (status) => {
      const { service, store } = setup();
      const order = await service.place(ALICE, { items: [{ productId: 10, quantity: 2 }] });
      store.setStatus(order.id, status);
      await expect(service.cancel(ALICE, order.id)).rejects.toMatchObject({ statusCode: 409, code: 'ILLEGAL_STATUS_TRANSITION' });
      expect((await service.get(ALICE, order.id)).status).toBe(status);
      expect(store.stockOf(10)).toEqual({ quantity: 5, reserved: 2 });
    });

    it('releases the reservation only once when cancelled twice', async () => {
      const { service, store } = setup();
      const order = await service.place(ALICE, { items: [{ productId: 11, quantity: 1 }] });
      await service.cancel(ALICE, order.id);
      await expect(service.cancel(ALICE, order.id)).rejects.toMatchObject({ code: 'ILLEGAL_STATUS_TRANSITION' });
      expect(store.stockOf(11)).toEqual({ quantity: 2, reserved: 1 });
    });

    it("reports someone else's order and a missing one as ORDER_NOT_FOUND, changing nothing", async () => {
      const { service, store } = setup();
      const order = await service.place(ALICE, { items: [{ productId: 10, quantity: 2 }] });
      await expect(service.cancel(BOB, order.id)).rejects.toMatchObject({ statusCode: 404, code: 'ORDER_NOT_FOUND' });
      await expect(service.cancel(ALICE, 999)).rejects.toMatchObject({ statusCode: 404, code: 'ORDER_NOT_FOUND' });
      expect((await service.get(ALICE, order.id)).status).toBe('pending');
      expect(store.stockOf(10)).toEqual({ quantity: 5, reserved: 2 });
    });
  });
});
