import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { RequestHandler, Response } from 'express';
import { UnauthorizedError } from '@strangler/platform';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export interface TokenService {
  issue(userId: number): Promise<IssuedToken>;
  /** Returns the user id (`sub`) of a valid token, or throws UnauthorizedError. */
  verify(token: string): Promise<number>;
}

/** HS256 tokens: sub = user id, iss, iat, exp. The same key verifies them in the extracted users service. */
export function createTokenService(options: { secret: string; issuer: string; ttlSeconds: number; now?: () => Date }): TokenService {
  const key = new TextEncoder().encode(options.secret);
  const now = options.now ?? (() => new Date());
  return {
    async issue(userId) {
      const issuedAt = Math.floor(now().getTime() / 1000);
      const expiresAt = new Date((issuedAt + options.ttlSeconds) * 1000);
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(String(userId))
        .setIssuer(options.issuer)
        .setIssuedAt(issuedAt)
        .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
        .sign(key);
      return { token, expiresAt };
    },
    async verify(token) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['HS256'],
          issuer: options.issuer,
          currentDate: now(),
        });
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
export function requireAuth(tokens: TokenService): RequestHandler {
  return async (req, res, next) => {
    const header = req.get('authorization');
    const match = header ? /^Bearer ([A-Za-z0-9._-]+)$/.exec(header) : null;
    if (!match?.[1]) throw new UnauthorizedError('Missing bearer token', 'UNAUTHENTICATED');
    res.locals.userId = await tokens.verify(match[1]);
    next();
  };
}

export function authenticatedUserId(res: Response): number {
  const userId = res.locals.userId as unknown;
  if (typeof userId !== 'number') throw new UnauthorizedError();
  return userId;
}
