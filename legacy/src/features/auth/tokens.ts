import { SignJWT } from 'jose';
import { createTokenVerifier, type TokenVerifier } from '@strangler/platform';

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/** The monolith issues login tokens (login stays here for now) and verifies them like everyone else. */
export interface TokenService extends TokenVerifier {
  issue(userId: number): Promise<IssuedToken>;
}

/** HS256 tokens: sub = user id, iss, iat, exp. The same key verifies them in the extracted users service and the edge. */
export function createTokenService(options: { secret: string; issuer: string; ttlSeconds: number; now?: () => Date }): TokenService {
  const key = new TextEncoder().encode(options.secret);
  const now = options.now ?? (() => new Date());
  const verifier = createTokenVerifier({ secret: options.secret, issuer: options.issuer, now });
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
    verify: (token) => verifier.verify(token),
  };
}
