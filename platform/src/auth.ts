import { jwtVerify, errors as joseErrors } from 'jose';
import type { RequestHandler, Response } from 'express';
import { UnauthorizedError } from './errors.js';

/**
 * Verification of the HS256 bearer tokens the monolith issues at login. Shared because every implementation of a
 * slice (legacy, its extracted service) and the edge must accept exactly the same tokens.
 */
export interface TokenVerifier {
  /** Returns the user id (`sub`) of a valid token, or throws UnauthorizedError (INVALID_TOKEN / TOKEN_EXPIRED). */
  verify(token: string): Promise<number>;
}

export interface TokenVerifierOptions {
  secret: string;
  issuer: string;
  now?: () => Date;
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const key = new TextEncoder().encode(options.secret);
  const now = options.now ?? (() => new Date());
  return {
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: options.issuer, currentDate: now() });
        const userId = Number(payload.sub);
        if (!Number.isSafeInteger(userId) || userId <= 0) throw new UnauthorizedError('Token subject is not a user id', 'INVALID_TOKEN');
        return userId;
      } catch (error) {
        if (error instanceof UnauthorizedError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw new UnauthorizedError('Token has expired', 'TOKEN_EXPIRED');
        throw new UnauthorizedError('Token is invalid', 'INVALID_TOKEN');
      }
    },
  };
}

/** Requires `Authorization: Bearer <token>`; the caller's user id is then available via `authenticatedUserId(res)`. */
export function requireAuth(verifier: TokenVerifier): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer ([A-Za-z0-9._-]+)$/.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedError('Missing bearer token', 'UNAUTHENTICATED');
    res.locals.userId = await verifier.verify(match[1]);
    next();
  };
}

export function authenticatedUserId(res: Response): number {
  const userId = res.locals.userId as unknown;
  if (typeof userId !== 'number') throw new UnauthorizedError();
  return userId;
}
