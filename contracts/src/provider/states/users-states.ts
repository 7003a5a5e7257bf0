import { z } from 'zod';
import { USER_STATES } from '../../provider-states.js';
import { stateParams, type StateHandlers } from './state-params.js';

export interface UserSeed {
  id: number;
  email: string;
  fullName: string;
  status: 'active' | 'suspended';
}

/**
 * What the users states need from an implementation's storage: one adapter per implementation (legacy's `users`
 * table, the users service's `accounts`), the states themselves are written once, below.
 */
export interface UsersStateStore {
  /** Afterwards exactly this user has this id and this email (case-insensitively): whatever held either is gone. */
  putUser(user: UserSeed): Promise<void>;
  removeUser(id: number): Promise<void>;
  /** Removes any user whose email equals this one case-insensitively. */
  removeUserByEmail(email: string): Promise<void>;
  /** A bearer token the implementation accepts for this user (HS256, as the monolith's login issues them). */
  tokenFor(id: number): Promise<string>;
}

const id = z.number().int().positive();
const userSeed = z.strictObject({
  id,
  email: z.string().min(3),
  fullName: z.string().min(1),
  status: z.enum(['active', 'suspended']).default('active'),
});

export function usersStateHandlers(store: UsersStateStore): StateHandlers {
  return {
    [USER_STATES.userExists]: async (params) => {
      await store.putUser(stateParams(USER_STATES.userExists, userSeed, params));
      return undefined;
    },
    [USER_STATES.noUserWithId]: async (params) => {
      await store.removeUser(stateParams(USER_STATES.noUserWithId, z.object({ id }), params).id);
      return undefined;
    },
    [USER_STATES.noUserWithEmail]: async (params) => {
      await store.removeUserByEmail(stateParams(USER_STATES.noUserWithEmail, z.object({ email: z.string().min(1) }), params).email);
      return undefined;
    },
    // The value the request's `Authorization: Bearer ${token}` is generated from.
    [USER_STATES.authenticatedAs]: async (params) => {
      return { token: await store.tokenFor(stateParams(USER_STATES.authenticatedAs, z.object({ id }), params).id) };
    },
  };
}
