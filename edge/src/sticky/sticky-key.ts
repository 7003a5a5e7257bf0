import { randomBytes } from 'node:crypto';

/** The ids the edge issues are 22 base64url characters; anything else in the cookie is ignored and replaced. */
const SID = /^[A-Za-z0-9_-]{22,64}$/;

export function isWellFormedSid(value: string | undefined): value is string {
  return value !== undefined && SID.test(value);
}

/** 128 random bits: unguessable, so one visitor cannot ride another's stickiness (it grants nothing else anyway). */
export function newSid(): string {
  return randomBytes(16).toString('base64url');
}

/** The first value of cookie `name` in a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  let start = 0;
  while (start < header.length) {
    let end = header.indexOf(';', start);
    if (end === -1) end = header.length;
    const eq = header.indexOf('=', start);
    if (eq !== -1 && eq < end && header.slice(start, eq).trim() === name) {
      let value = header.slice(eq + 1, end).trim();
      if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      return value;
    }
    start = end + 1;
  }
  return undefined;
}

export interface StickyCookieOptions {
  name: string;
  maxAgeSeconds: number;
  secure: boolean;
}

export function stickyCookie(value: string, options: StickyCookieOptions): string {
  return `${options.name}=${value}; Path=/; Max-Age=${options.maxAgeSeconds}; HttpOnly; SameSite=Lax${options.secure ? '; Secure' : ''}`;
}

export interface StickyIdentity {
  /** What flags are evaluated for: the user id of a verified token, else the visitor's sid. */
  key: string;
  /** Set only from a verified token. */
  userId?: string;
  /** A sid the edge has just issued; the response must set it as a cookie. */
  issuedSid?: string;
}

/** A signed-in user is sticky by user id (on every device); an anonymous visitor by the sid cookie, issued if absent. */
export function stickyIdentity(userId: string | undefined, cookieHeader: string | undefined, cookieName: string): StickyIdentity {
  if (userId !== undefined) return { key: userId, userId };
  const sid = readCookie(cookieHeader, cookieName);
  if (isWellFormedSid(sid)) return { key: sid };
  const issued = newSid();
  return { key: issued, issuedSid: issued };
}
