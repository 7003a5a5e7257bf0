import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@strangler/testkit/database';
import { verifyPassword, type Knex } from '@strangler/platform';
import { migrateToLatest } from '../db/migrations.js';
import { SEED_TABLES, type SeedTable } from './generator.js';
import { countExistingRows, DEMO_PASSWORD, SeedRefusedError, seedDatabase, type SeedProgress } from './seed-writer.js';

const SIZES = { users: 200, products: 50, orders: 500 };
const ORDER_BY: Record<SeedTable, string> = {
  users: 'id',
  products: 'id',
  inventory: 'product_id',
  orders: 'id',
  order_items: 'id',
};

async function dump(db: Knex): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of SEED_TABLES) tables[table] = await db(table).select('*').orderBy(ORDER_BY[table]);
  return tables;
}

async function checksums(t: TestDatabase): Promise<Record<string, string>> {
  const [rows] = (await t.db.raw(`CHECKSUM TABLE ${SEED_TABLES.join(', ')}`)) as [Array<{ Table: string; Checksum: number | string }>];
  return Object.fromEntries(rows.map((row) => [row.Table.replace(`${t.name}.`, ''), String(row.Checksum)]));
}

async function rows<T>(db: Knex, sql: string): Promise<T[]> {
  const [result] = (await db.raw(sql)) as [T[]];
  return result;
}

describe('seedDatabase against MariaDB', () => {
  let a: TestDatabase;
  let b: TestDatabase;
  let c: TestDatabase;
  let passwordHash: string;
  const progressA: SeedProgress[] = [];

  beforeAll(async () => {
    [a, b, c] = await Promise.all([
      createTestDatabase('legacy_seed_a'),
      createTestDatabase('legacy_seed_b'),
      createTestDatabase('legacy_seed_c'),
    ]);
    // Fresh databases, not migrated: seeding migrates first. Different batch sizes must not change the data,
    // and the password hash (salt derived from the seed) is part of what must come out byte-identical.
    await seedDatabase(a.db, { ...SIZES, seed: 42, onProgress: (p) => progressA.push(p) });
    await seedDatabase(b.db, { ...SIZES, seed: 42, batchSize: 37 });
    passwordHash = ((await a.db('users').first('password_hash')) as { password_hash: string }).password_hash;
    await seedDatabase(c.db, { ...SIZES, seed: 7 });
  });

  afterAll(async () => {
    await Promise.all([a?.drop(), b?.drop(), c?.drop()]);
  });

  it('writes the requested numbers of rows and reports progress up to them', async () => {
    const counts = await countExistingRows(a.db);
    expect(counts).toMatchObject({ users: 200, products: 50, inventory: 50, orders: 500 });
    expect(counts.order_items).toBeGreaterThanOrEqual(500);
    for (const table of SEED_TABLES) {
      const last = progressA.filter((p) => p.table === table).at(-1);
      expect(last).toEqual({ table, inserted: counts[table], total: counts[table] });
    }
  });

  it('is reproducible: same seed and sizes give identical tables in another fresh database', async () => {
    expect(await dump(b.db)).toEqual(await dump(a.db));
    const sums = await checksums(a);
    expect(Object.keys(sums).sort()).toEqual([...SEED_TABLES].sort());
    expect(await checksums(b)).toEqual(sums);
  });

  it('gives different data for a different seed', async () => {
    const [sumsA, sumsC] = await Promise.all([checksums(a), checksums(c)]);
    for (const table of SEED_TABLES) expect(sumsC[table]).not.toBe(sumsA[table]);
  });

  it('lets every seeded user log in with the demo password', async () => {
    const users = await c.db('users').select('password_hash').orderBy('id').limit(3);
    const distinct = await c.db('users').countDistinct({ n: 'password_hash' });
    expect(Number(distinct[0]?.n)).toBe(1);
    expect(await verifyPassword(DEMO_PASSWORD, users[0]?.password_hash)).toBe(true);
    expect(await verifyPassword('wrong-password', users[0]?.password_hash)).toBe(false);
  });

  it('leaves no dangling references', async () => {
    for (const t of [a, c]) {
      const orphans = await rows<{ n: number }>(
        t.db,
        `select
           (select count(*) from orders o left join users u on u.id = o.user_id where u.id is null)
         + (select count(*) from order_items i left join orders o on o.id = i.order_id where o.id is null)
         + (select count(*) from order_items i left join products p on p.id = i.product_id where p.id is null)
         + (select count(*) from inventory v left join products p on p.id = v.product_id where p.id is null)
         + (select count(*) from products p left join inventory v on v.product_id = p.id where v.product_id is null)
         + (select count(*) from orders o left join order_items i on i.order_id = o.id where i.id is null) as n`,
      );
      expect(Number(orphans[0]?.n)).toBe(0);
    }
  });

  it('keeps inventory.reserved equal to the pending+paid quantities of each product', async () => {
    for (const t of [a, c]) {
      const stock = await rows<{ product_id: number; quantity: number; reserved: number; expected: number | string }>(
        t.db,
        `select v.product_id, v.quantity, v.reserved,
                coalesce(sum(case when o.status in ('pending', 'paid') then i.quantity end), 0) as expected
           from inventory v
           left join order_items i on i.product_id = v.product_id
           left join orders o on o.id = i.order_id
          group by v.product_id, v.quantity, v.reserved
          order by v.product_id`,
      );
      expect(stock).toHaveLength(50);
      for (const row of stock) {
        expect(row.reserved).toBe(Number(row.expected));
        expect(row.quantity).toBeGreaterThanOrEqual(row.reserved);
      }
      expect(stock.some((row) => row.reserved > 0)).toBe(true);
    }
  });

  it('stores consistent orders: totals, currencies, prices and timestamps', async () => {
    const checked = await rows<{ id: number; bad: number | string }>(
      a.db,
      `select o.id,
              (o.total_minor <> s.total
               or s.foreign_currency > 0
               or s.mispriced > 0
               or o.created_at < u.created_at
               or o.updated_at < o.created_at) as bad
         from orders o
         join users u on u.id = o.user_id
         join (select i.order_id,
                      sum(i.quantity * i.unit_price_minor) as total,
                      sum(p.currency <> o2.currency) as foreign_currency,
                      sum(p.price_minor <> i.unit_price_minor) as mispriced
                 from order_items i
                 join products p on p.id = i.product_id
                 join orders o2 on o2.id = i.order_id
                group by i.order_id) s on s.order_id = o.id`,
    );
    expect(checked).toHaveLength(500);
    expect(checked.filter((row) => Number(row.bad) !== 0)).toEqual([]);
    const [first] = await a.db('orders').min({ at: 'created_at' });
    expect(new Date(first?.at as Date).getTime()).toBeGreaterThanOrEqual(Date.parse('2024-01-01T00:00:00Z'));
  });

  it('refuses a database that already has data, and writes nothing', async () => {
    const before = await countExistingRows(a.db);
    await expect(seedDatabase(a.db, { ...SIZES, seed: 42, passwordHash })).rejects.toThrow(SeedRefusedError);
    expect(await countExistingRows(a.db)).toEqual(before);
  });

  it('refuses when only the catalog has rows', async () => {
    const d = await createTestDatabase('legacy_seed_d');
    try {
      await migrateToLatest(d.db);
      await d.db('products').insert({ sku: 'SKU-HAND', name: 'Hand made', description: '', price_minor: 100, currency: 'EUR' });
      const attempt = seedDatabase(d.db, { ...SIZES, seed: 42, passwordHash });
      await expect(attempt).rejects.toThrow(/already has data \(products: 1 rows\)/);
      expect(await countExistingRows(d.db)).toEqual({ users: 0, products: 1, orders: 0, order_items: 0, inventory: 0 });
    } finally {
      await d.drop();
    }
  });
});
