import { Router } from 'express';
import { parseInput } from '@strangler/platform';
import { toUserJson } from '../users/users-controller.js';
import type { AuthService } from './auth-service.js';
import { loginSchema } from './auth-schema.js';

export function createAuthRouter(deps: { auth: AuthService }): Router {
  const router = Router();

  router.post('/login', async (req, res) => {
    const result = await deps.auth.login(parseInput(loginSchema, req.body));
    res.json({ token: result.token, tokenType: 'Bearer', expiresAt: result.expiresAt.toISOString(), user: toUserJson(result.user) });
  });

  return router;
}
