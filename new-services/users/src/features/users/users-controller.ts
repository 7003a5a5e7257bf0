import { Router, type Response } from 'express';
import { ForbiddenError, authenticatedUserId, parseInput, pathIdSchema, requireAuth, type TokenVerifier } from '@strangler/platform';
import type { User } from './users-store-type.js';
import type { UsersService } from './users-service.js';
import { createUserSchema, listUsersQuerySchema, updateUserSchema } from './users-schema.js';

/** The public JSON shape of a user, identical to the monolith's (never the hash, nor internal columns like version). */
export interface UserJson {
  id: number;
  email: string;
  fullName: string;
  status: User['status'];
  createdAt: string;
  updatedAt: string;
}

export function toUserJson(user: User): UserJson {
  return {
    id: user.id,
    email: user.email,
    fullName: user.fullName,
    status: user.status,
    createdAt: user.createdAt.toISOString(),
    updatedAt: user.updatedAt.toISOString(),
  };
}

function parseUserId(raw: unknown): number {
  return parseInput(pathIdSchema, raw, 'INVALID_ID');
}

/** Callers may only change their own account. Runs after authentication and id parsing, before the body is looked at. */
function ensureSelf(res: Response, id: number): void {
  if (authenticatedUserId(res) !== id) throw new ForbiddenError('You may only change your own account', 'FORBIDDEN');
}

/**
 * The monolith's users routes, same order of checks: authentication (401), id format (400 INVALID_ID),
 * ownership (403), body (400), existence (404), conflicts (409). Tokens are the monolith's login tokens.
 */
export function createUsersRouter(deps: { users: UsersService; tokens: TokenVerifier }): Router {
  const { users } = deps;
  const router = Router();
  const authenticated = requireAuth(deps.tokens);

  router.post('/', async (req, res) => {
    const body = parseInput(createUserSchema, req.body);
    const user = await users.create(body);
    res.status(201).location(`/api/users/${user.id}`).json(toUserJson(user));
  });

  router.get('/', async (req, res) => {
    const query = parseInput(listUsersQuerySchema, req.query);
    const page = await users.list(query);
    res.json({ items: page.items.map(toUserJson), page: page.page, pageSize: page.pageSize, total: page.total });
  });

  router.get('/:id', async (req, res) => {
    const user = await users.get(parseUserId(req.params.id));
    res.json(toUserJson(user));
  });

  router.patch('/:id', authenticated, async (req, res) => {
    const id = parseUserId(req.params.id);
    ensureSelf(res, id);
    const patch = parseInput(updateUserSchema, req.body);
    res.json(toUserJson(await users.update(id, patch)));
  });

  // No USER_HAS_ORDERS here: see UsersService.delete.
  router.delete('/:id', authenticated, async (req, res) => {
    const id = parseUserId(req.params.id);
    ensureSelf(res, id);
    await users.delete(id);
    res.status(204).end();
  });

  return router;
}
