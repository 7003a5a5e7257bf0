import { describe, expect, it, vi } from 'vitest';
import type { Request, Response } from 'express';
import { SignJWT } from 'jose';
import { AppError, authenticatedUserId, requireAuth } from '@strangler/platform';
import { createTokenService } from './tokens.js';

const SECRET = 'unit-secret-unit-secret-unit-secret-0123';
const ISSUER = 'strangler-legacy';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).statusCode).toBe(401);
    return (error as AppError).code;
  }
  throw new Error('expected an UnauthorizedError');
}

function sign(claims: { sub?: string; iss?: string; exp?: number }, secret = SECRET): Promise<string> {
  const jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  if (claims.iss !== undefined) jwt.setIssuer(claims.iss);
  jwt.setExpirationTime(claims.exp ?? Math.floor(Date.now() / 1000) + 60);
  return jwt.sign(new TextEncoder().encode(secret));
}

describe('createTokenService', () => {
  it('issues a token whose subject verify returns, expiring ttl seconds after now', async () => {
    const now = new Date('2024-01-01T00:00:00.500Z');
    const tokens = createTokenService({ secret: SECRET, issuer: ISSUER, ttlSeconds: 90, now: () => now });
    const issued = await tokens.issue(7);
    expect(issued.expiresAt).toEqual(new Date('2024-01-01T00:01:30.000Z'));
    expect(await tokens.verify(issued.token)).toBe(7);
  });

  it('rejects an expired token with TOKEN_EXPIRED', async () => {
    let now = new Date('2024-01-01T00:00:00.000Z');
    const tokens = createTokenService({ secret: SECRET, issuer: ISSUER, ttlSeconds: 60, now: () => now });
    const { token } = await tokens.issue(7);
    now = new Date('2024-01-01T00:01:01.000Z');
    expect(await codeOf(tokens.verify(token))).toBe('TOKEN_EXPIRED');
  });

  it.each([
    ['garbage', async () => 'not.a.jwt'],
    ['a tampered signature', async () => `${(await sign({ sub: '7', iss: ISSUER })).slice(0, -2)}xx`],
    ['another key', () => sign({ sub: '7', iss: ISSUER }, 'other-secret-other-secret-other-secret-01')],
    ['another issuer', () => sign({ sub: '7', iss: 'someone-else' })],
    ['a non-numeric subject', () => sign({ sub: 'admin', iss: ISSUER })],
    ['a zero subject', () => sign({ sub: '0', iss: ISSUER })],
    ['no subject', () => sign({ iss: ISSUER })],
  ])('rejects %s with INVALID_TOKEN', async (_label, makeToken) => {
    const tokens = createTokenService({ secret: SECRET, issuer: ISSUER, ttlSeconds: 60 });
    expect(await codeOf(tokens.verify(await makeToken()))).toBe('INVALID_TOKEN');
  });
});

describe('requireAuth', () => {
  const tokens = createTokenService({ secret: SECRET, issuer: ISSUER, ttlSeconds: 60 });
  const run = async (authorization: string | undefined): Promise<{ res: Response; next: ReturnType<typeof vi.fn> }> => {
    const req = { get: (name: string) => (name.toLowerCase() === 'authorization' ? authorization : undefined) } as unknown as Request;
    const res = { locals: {} } as unknown as Response;
    const next = vi.fn();
    await requireAuth(tokens)(req, res, next);
    return { res, next };
  };

  it('puts the verified user id where authenticatedUserId finds it', async () => {
    const { token } = await tokens.issue(12);
    const { res, next } = await run(`Bearer ${token}`);
    expect(next).toHaveBeenCalledOnce();
    expect(authenticatedUserId(res)).toBe(12);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer abc', 'Bearer a b'])('rejects authorization %j with UNAUTHENTICATED', async (header) => {
    expect(await codeOf(run(header))).toBe('UNAUTHENTICATED');
  });

  it('rejects a bad bearer token with INVALID_TOKEN', async () => {
    expect(await codeOf(run('Bearer abc.def.ghi'))).toBe('INVALID_TOKEN');
  });

  it('authenticatedUserId refuses when no middleware authenticated the request', () => {
    expect(() => authenticatedUserId({ locals: {} } as unknown as Response)).toThrow(AppError);
  });
});
