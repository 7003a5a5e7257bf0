import type { Knex } from '@strangler/platform';
import { normalizeEmail } from '@strangler/users-service/projection';
import type { UserSeed, UsersStateStore } from '../states/users-states.js';
import { SEEDED_PASSWORD_HASH, signBearerToken, type JwtSettings } from './seed-values.js';

/**
 * The users states on the users service's `accounts` table. A seeded account looks projected from the monolith
 * (legacy_id = id), as every pre-existing user will; uniqueness of the email goes through `email_normalized`.
 */
export function usersServiceStore(db: Knex, jwt: JwtSettings): UsersStateStore {
  return {
    async putUser(user: UserSeed) {
      await db.transaction(async (trx) => {
        await trx('accounts')
          .where('id', user.id)
          .orWhere('legacy_id', user.id)
          .orWhere('email_normalized', normalizeEmail(user.email))
          .delete();
        await trx('accounts').insert({
          id: user.id,
          legacy_id: user.id,
          email: user.email,
          email_normalized: normalizeEmail(user.email),
          display_name: user.fullName,
          status: user.status,
          password_hash: SEEDED_PASSWORD_HASH,
          version: 1,
        });
      });
    },
    async removeUser(id) {
      await db('accounts').where('id', id).delete();
    },
    async removeUserByEmail(email) {
      await db('accounts').where('email_normalized', normalizeEmail(email)).delete();
    },
    tokenFor: (id) => signBearerToken(id, jwt),
  };
}
