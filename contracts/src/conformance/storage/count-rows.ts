import type { Knex } from '@strangler/platform';

export async function countRows(query: Knex.QueryBuilder): Promise<number> {
  const [counted] = (await query.count({ n: '*' })) as Array<{ n: number }>;
  return Number(counted?.n);
}
