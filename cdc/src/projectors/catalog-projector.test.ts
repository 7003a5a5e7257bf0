import { describe, expect, it } from 'vitest';
import type { Knex } from '@strangler/platform';
import { LegacyIdConflictError } from '@strangler/catalog-service/projection';
import { poison } from '../testing/poison.js';
import { change, legacyInventory, legacyProduct, T0 } from '../testing/debezium-records.js';
import { MemoryDeletedKeys, RecordingProductsProjection } from '../testing/recording-projections.js';
import { createCatalogProjector } from './catalog-projector.js';

const db = {} as Knex;

function setup() {
  const projection = new RecordingProductsProjection();
  const deleted = new MemoryDeletedKeys();
  return { projection, deleted, projector: createCatalogProjector(() => projection, () => deleted) };
}

describe('catalog projector: legacy products + inventory → catalog products', () => {
  it('consumes products and inventory', () => {
    expect(setup().projector.tables).toEqual(['products', 'inventory']);
  });

  it.each(['c', 'u', 'r'] as const)('products op %s upserts the product, mapped to the service', async (op) => {
    const { projection, projector } = setup();
    const after = legacyProduct(3, { active: 0, price_minor: 999, updated_at: T0 + 1 });
    expect(await projector.apply(db, change('products', op, { after }))).toBe('inserted');
    expect(projection.products).toEqual([
      {
        legacyId: 3,
        sku: 'SKU-3',
        name: 'Product 3',
        description: 'About product 3',
        priceMinor: 999,
        currency: 'EUR',
        active: false,
        createdAt: new Date(T0),
        updatedAt: new Date(T0 + 1),
      },
    ]);
  });

  it('passes the stale outcome through (an older event than the row holds)', async () => {
    const { projection, projector } = setup();
    projection.outcome = 'stale';
    expect(await projector.apply(db, change('products', 'u', { after: legacyProduct(1) }))).toBe('stale');
  });

  it('accepts price_minor as a decimal string (BIGINT UNSIGNED in precise mode) and active as a boolean', async () => {
    const { projection, projector } = setup();
    await projector.apply(db, change('products', 'c', { after: legacyProduct(1, { price_minor: '4200', active: true }) }));
    expect(projection.products[0]).toMatchObject({ priceMinor: 4200, active: true });
  });

  it('products op d deletes the product (and its stock) by legacy id', async () => {
    const { projection, projector } = setup();
    expect(await projector.apply(db, change('products', 'd', { before: { id: 8 } }))).toBe('deleted');
    projection.deleted = false;
    expect(await projector.apply(db, change('products', 'd', { before: legacyProduct(8) }))).toBe('absent');
    expect(projection.deletes).toEqual([8, 8]);
  });

  it('remembers a deleted product: later product or stock changes for it (other topic, redelivery) are stale and not applied', async () => {
    const { projection, projector, deleted } = setup();
    await projector.apply(db, change('products', 'd', { before: { id: 9 } }, { sourceTsMs: T0 }));
    expect(deleted.keys).toEqual(new Map([['products:9', new Date(T0)]]));
    expect(await projector.apply(db, change('inventory', 'u', { after: legacyInventory(9) }))).toBe('stale');
    expect(await projector.apply(db, change('inventory', 'd', { before: legacyInventory(9) }))).toBe('stale');
    expect(await projector.apply(db, change('products', 'u', { after: legacyProduct(9) }))).toBe('stale');
    expect(projection.stock).toEqual([]);
    expect(projection.products).toEqual([]);
    // Other products are not affected.
    expect(await projector.apply(db, change('inventory', 'u', { after: legacyInventory(10) }))).toBe('inserted');
  });

  it.each(['c', 'u', 'r'] as const)('inventory op %s upserts the stock', async (op) => {
    const { projection, projector } = setup();
    await projector.apply(db, change('inventory', op, { after: legacyInventory(4, { quantity: 9, reserved: 2, updated_at: T0 + 7 }) }));
    expect(projection.stock).toEqual([{ legacyProductId: 4, quantity: 9, reserved: 2, updatedAt: new Date(T0 + 7) }]);
  });

  it("inventory op d clears the stock to 0/0 at the later of the row's updated_at and the binlog time", async () => {
    const { projection, projector } = setup();
    // Binlog time (whole seconds) before the row's millisecond updated_at: the row's time wins, so the clear is not stale.
    await projector.apply(db, change('inventory', 'd', { before: legacyInventory(4, { updated_at: T0 + 900 }) }, { sourceTsMs: T0 }));
    // Binlog time later: it wins.
    await projector.apply(db, change('inventory', 'd', { before: legacyInventory(5) }, { sourceTsMs: T0 + 60_000 }));
    // MINIMAL before image (key only): the binlog time.
    await projector.apply(db, change('inventory', 'd', { before: { product_id: 6 } }, { sourceTsMs: T0 + 1000 }));
    expect(projection.stock).toEqual([
      { legacyProductId: 4, quantity: 0, reserved: 0, updatedAt: new Date(T0 + 900) },
      { legacyProductId: 5, quantity: 0, reserved: 0, updatedAt: new Date(T0 + 60_000) },
      { legacyProductId: 6, quantity: 0, reserved: 0, updatedAt: new Date(T0 + 1000) },
    ]);
    expect(projection.deletes).toEqual([]);
  });

  it('schema drift: unknown columns are ignored', async () => {
    const { projection, projector } = setup();
    await projector.apply(db, change('products', 'c', { after: legacyProduct(1, { weight_grams: 120 }) }));
    await projector.apply(db, change('inventory', 'c', { after: legacyInventory(1, { warehouse: 'B' }) }));
    expect(projection.products).toHaveLength(1);
    expect(projection.stock).toHaveLength(1);
  });

  it.each([
    ['products', legacyProduct(1, { sku: undefined }), 'column "sku": missing'],
    ['products', legacyProduct(1, { price_minor: '12.50' }), 'column "price_minor"'],
    ['products', legacyProduct(1, { price_minor: -1 }), 'column "price_minor"'],
    ['products', legacyProduct(1, { active: 'yes' }), 'column "active"'],
    ['inventory', legacyInventory(1, { quantity: '5' }), 'column "quantity"'],
    ['inventory', legacyInventory(1, { reserved: -2 }), 'column "reserved"'],
    ['inventory', legacyInventory(1, { updated_at: null }), 'column "updated_at"'],
  ])('schema drift: a missing or mistyped required column of %s is poison naming it (%s)', async (table, after, expected) => {
    const { projection, projector } = setup();
    const error = await poison(projector.apply(db, change(table, 'u', { after })));
    expect(error.code).toBe('SCHEMA_MISMATCH');
    expect(error.message).toContain(expected);
    expect([...projection.products, ...projection.stock]).toEqual([]);
  });

  it("the service's LegacyIdConflictError becomes poison LEGACY_ID_CONFLICT", async () => {
    const { projection, projector } = setup();
    projection.failWith = new LegacyIdConflictError(2);
    const error = await poison(projector.apply(db, change('inventory', 'c', { after: legacyInventory(2) })));
    expect(error.code).toBe('LEGACY_ID_CONFLICT');
    expect(error.message).toContain('Product id 2');
  });

  it('a change of another table is poison', async () => {
    const { projector } = setup();
    expect((await poison(projector.apply(db, change('users', 'c', { after: { id: 1 } })))).code).toBe('UNEXPECTED_TABLE');
  });
});
