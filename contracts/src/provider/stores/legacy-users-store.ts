import type { Knex } from '@strangler/platform';
import type { UserSeed, UsersStateStore } from '../states/users-states.js';
import { SEEDED_PASSWORD_HASH, signBearerToken, type JwtSettings } from './seed-values.js';

/**
 * The users states on the monolith's tables: `users`, plus the orders that reference a user (which must go first,
 * or the foreign key keeps the user). The `users.email` collation compares case-insensitively, as the API does.
 */
export function legacyUsersStore(db: Knex, jwt: JwtSettings): UsersStateStore {
  async function removeWhere(trx: Knex.Transaction, where: (q: Knex.QueryBuilder) => void): Promise<void> {
    const ids = ((await trx('users').select('id').where(where)) as Array<{ id: number }>).map((r) => r.id);
    if (ids.length === 0) return;
    const orderIds = trx('orders').select('id').whereIn('user_id', ids);
    await trx('order_items').whereIn('order_id', orderIds).delete();
    await trx('orders').whereIn('user_id', ids).delete();
    await trx('users').whereIn('id', ids).delete();
  }

  return {
    async putUser(user: UserSeed) {
      await db.transaction(async (trx) => {
        await removeWhere(trx, (q) => q.where('id', user.id).orWhere('email', user.email));
        await trx('users').insert({
          id: user.id,
          email: user.email,
          full_name: user.fullName,
          password_hash: SEEDED_PASSWORD_HASH,
          status: user.status,
        });
      });
    },
    removeUser: (id) => db.transaction((trx) => removeWhere(trx, (q) => q.where('id', id))),
    removeUserByEmail: (email) => db.transaction((trx) => removeWhere(trx, (q) => q.where('email', email))),
    tokenFor: (id) => signBearerToken(id, jwt),
  };
}
