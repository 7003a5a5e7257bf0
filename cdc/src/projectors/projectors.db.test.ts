import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The services export only their projection; their migrations are imported by path to build the target schema.
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { migrateToLatest as migrateUsers } from '@strangler/users-service/migrations';
import { migrateToLatest as migrateCatalog } from '@strangler/catalog-service/migrations';
import { classifyError, type PoisonRecordError } from '../errors.js';
import { poison } from '../testing/poison.js';
import { migrateCdcSchema } from '../schema.js';
import { change, legacyInventory, legacyProduct, legacyUser, T0 } from '../testing/debezium-records.js';
import { createCatalogProjector } from './catalog-projector.js';
import { createUsersProjector } from './users-projector.js';

let users: TestDatabase;
let catalog: TestDatabase;
beforeAll(async () => {
  [users, catalog] = await Promise.all([createTestDatabase('cdc_users_projector'), createTestDatabase('cdc_catalog_projector')]);
  await Promise.all([migrateUsers(users.db), migrateCatalog(catalog.db), migrateCdcSchema(catalog.db)]);
});
afterAll(async () => {
  await Promise.all([users?.drop(), catalog?.drop()]);
});

describe('users projector on MariaDB (users_svc schema)', () => {
  const projector = createUsersProjector();
  const account = async (id: number) => users.db('accounts').where({ id }).first();

  it('snapshot read inserts the account with the legacy id; a replay changes nothing; an update bumps the version; a delete removes it', async () => {
    expect(await projector.apply(users.db, change('users', 'r', { after: legacyUser(11, { email: 'Ada@X.io' }) }))).toBe('inserted');
    expect(await account(11)).toMatchObject({
      id: 11,
      legacy_id: 11,
      email: 'Ada@X.io',
      email_normalized: 'ada@x.io',
      display_name: 'User 11',
      status: 'active',
      password_hash: 'scrypt$hash11',
      version: 1,
      created_at: new Date(T0),
      updated_at: new Date(T0),
    });
    expect(await projector.apply(users.db, change('users', 'r', { after: legacyUser(11, { email: 'Ada@X.io' }) }))).toBe('unchanged');
    const updated = legacyUser(11, { email: 'Ada@X.io', full_name: 'Ada', status: 'suspended', updated_at: T0 + 1 });
    expect(await projector.apply(users.db, change('users', 'u', { after: updated }))).toBe('updated');
    expect(await account(11)).toMatchObject({ display_name: 'Ada', status: 'suspended', version: 2, updated_at: new Date(T0 + 1) });
    expect(await projector.apply(users.db, change('users', 'd', { before: updated }))).toBe('deleted');
    expect(await account(11)).toBeUndefined();
    expect(await projector.apply(users.db, change('users', 'd', { before: updated }))).toBe('absent');
  });

  it('an email held by another account is poison PROJECTION_CONFLICT and writes nothing', async () => {
    await projector.apply(users.db, change('users', 'c', { after: legacyUser(21, { email: 'taken@x.io' }) }));
    const error = await poison(projector.apply(users.db, change('users', 'c', { after: legacyUser(22, { email: 'TAKEN@x.io' }) })));
    expect(error.code).toBe('PROJECTION_CONFLICT');
    expect(await account(22)).toBeUndefined();
  });

  it('a value the target column cannot hold fails with a database error the runtime classifies as DATA_REJECTED', async () => {
    const error = await projector
      .apply(users.db, change('users', 'c', { after: legacyUser(31, { full_name: 'x'.repeat(201) }) }))
      .catch((caught: unknown) => caught);
    expect(classifyError(error)).toMatchObject({ kind: 'poison', code: 'DATA_REJECTED', message: expect.stringContaining('ER_DATA_TOO_LONG') });
    expect(await account(31)).toBeUndefined();
  });
});

describe('catalog projector on MariaDB (catalog_svc schema)', () => {
  const projector = createCatalogProjector();
  const product = async (id: number) => catalog.db('products').where({ id }).first();

  it('stock arriving before its product waits in a placeholder the product fills; product and stock update independently', async () => {
    expect(await projector.apply(catalog.db, change('inventory', 'r', { after: legacyInventory(5, { quantity: 7, reserved: 2 }) }))).toBe('inserted');
    expect(await product(5)).toMatchObject({ legacy_id: 5, sku: null, stock_quantity: 7, stock_reserved: 2 });
    expect(await projector.apply(catalog.db, change('products', 'r', { after: legacyProduct(5, { active: 0 }) }))).toBe('updated');
    expect(await product(5)).toMatchObject({
      id: 5,
      legacy_id: 5,
      sku: 'SKU-5',
      name: 'Product 5',
      price_amount_minor: 1234,
      price_currency: 'EUR',
      is_active: 0,
      stock_quantity: 7,
      stock_reserved: 2,
      version: 2,
    });
    expect(await projector.apply(catalog.db, change('products', 'u', { after: legacyProduct(5, { active: 0 }) }))).toBe('unchanged');
    expect(await projector.apply(catalog.db, change('inventory', 'u', { after: legacyInventory(5, { quantity: 6, updated_at: T0 + 10 }) }))).toBe('updated');
    expect(await product(5)).toMatchObject({ stock_quantity: 6, stock_reserved: 0, sku: 'SKU-5', version: 3 });
    // An older stock event (redelivered from before) does not roll the row back.
    expect(await projector.apply(catalog.db, change('inventory', 'u', { after: legacyInventory(5, { quantity: 1, updated_at: T0 + 5 }) }))).toBe('stale');
    expect(await product(5)).toMatchObject({ stock_quantity: 6 });
  });

  it("an inventory delete clears the product's stock to 0/0, even in the binlog second of the last stock change; a product delete removes the row", async () => {
    await projector.apply(catalog.db, change('products', 'c', { after: legacyProduct(6) }));
    const stock = legacyInventory(6, { quantity: 4, reserved: 1, updated_at: T0 + 999 });
    await projector.apply(catalog.db, change('inventory', 'c', { after: stock }));
    // Deleted in the same second as the last stock change: source.ts_ms (whole seconds) is earlier than that change's updated_at.
    const binlogSecond = Math.floor((T0 + 999) / 1000) * 1000;
    expect(binlogSecond).toBeLessThan(T0 + 999);
    expect(await projector.apply(catalog.db, change('inventory', 'd', { before: stock }, { sourceTsMs: binlogSecond }))).toBe('updated');
    expect(await product(6)).toMatchObject({ sku: 'SKU-6', stock_quantity: 0, stock_reserved: 0 });
    expect(await projector.apply(catalog.db, change('products', 'd', { before: { id: 6 } }))).toBe('deleted');
    expect(await product(6)).toBeUndefined();
  });

  it('a stock change arriving after its product was deleted leaves no placeholder behind', async () => {
    await projector.apply(catalog.db, change('products', 'c', { after: legacyProduct(7) }));
    await projector.apply(catalog.db, change('products', 'd', { before: legacyProduct(7) }));
    expect(await projector.apply(catalog.db, change('inventory', 'u', { after: legacyInventory(7, { updated_at: T0 + 50 }) }))).toBe('stale');
    expect(await product(7)).toBeUndefined();
    expect(await catalog.db('cdc_deleted_keys').where({ source_table: 'products', legacy_id: 7 }).first()).toBeDefined();
  });

  it('a product created through the service holding the legacy id is poison LEGACY_ID_CONFLICT', async () => {
    await catalog.db('products').insert({ id: 40, legacy_id: null, sku: 'OWN', name: 'Own', description: '', price_amount_minor: 1, price_currency: 'EUR' });
    const error = await projector.apply(catalog.db, change('products', 'c', { after: legacyProduct(40) })).catch((caught: unknown) => caught);
    expect((error as PoisonRecordError).code).toBe('LEGACY_ID_CONFLICT');
    expect(await product(40)).toMatchObject({ sku: 'OWN' });
  });
});
