import { SignJWT } from 'jose';

/** scrypt hash (the monolith's format, which the users service keeps) of "contract-password": login is not in these pacts. */
export const SEEDED_PASSWORD_HASH = 'scrypt$16384$8$1$Y29udHJhY3RzLXNhbHQtMQ==$AVVuGMQ3CbaBMmL4XCx/XNIhrnGWNR3h7AMT/Xdr0yU=';

export interface JwtSettings {
  secret: string;
  issuer: string;
  ttlSeconds?: number;
}

/** A bearer token exactly as the monolith's login issues it: HS256, sub = user id, iss, iat, exp. */
export async function signBearerToken(userId: number, jwt: JwtSettings): Promise<string> {
  const issuedAt = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(String(userId))
    .setIssuer(jwt.issuer)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (jwt.ttlSeconds ?? 3600))
    .sign(new TextEncoder().encode(jwt.secret));
}
