import { describe, expect, it } from 'vitest';
import { isWellFormedSid, newSid, readCookie, stickyCookie, stickyIdentity } from './sticky-key.js';

describe('readCookie', () => {
  it.each([
    ['sid=abc', 'abc'],
    ['theme=dark; sid=abc; lang=en', 'abc'],
    ['  sid = abc ;x=1', 'abc'],
    ['sid="quoted"', 'quoted'],
    ['xsid=nope; sid=yes', 'yes'],
    ['sid=first; sid=second', 'first'],
    ['theme=dark', undefined],
    ['', undefined],
    ['sid', undefined],
  ])('%j → %j', (header, expected) => {
    expect(readCookie(header, 'sid')).toBe(expected);
  });

  it('handles an absent header', () => {
    expect(readCookie(undefined, 'sid')).toBeUndefined();
  });
});

describe('sids', () => {
  it('issues 128-bit base64url ids that pass its own check, all different', () => {
    const ids = new Set(Array.from({ length: 1000 }, newSid));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(isWellFormedSid(id)).toBe(true);
    }
  });

  it.each(['', 'short', 'has spaces in it and is long enough', 'a'.repeat(65), 'bad;chars=0000000000000000', undefined])('rejects %j', (value) => {
    expect(isWellFormedSid(value)).toBe(false);
  });

  it('builds the cookie HttpOnly, SameSite=Lax, Path=/, long-lived, Secure when asked', () => {
    expect(stickyCookie('abc', { name: 'sid', maxAgeSeconds: 31536000, secure: false })).toBe('sid=abc; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax');
    expect(stickyCookie('abc', { name: 'sid', maxAgeSeconds: 60, secure: true })).toBe('sid=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure');
  });
});

describe('stickyIdentity', () => {
  const sid = 'AAAAAAAAAAAAAAAAAAAAAA';

  it('uses the verified user id when there is one, even with a sid cookie', () => {
    expect(stickyIdentity('42', `sid=${sid}`, 'sid')).toEqual({ key: '42', userId: '42' });
  });

  it('reuses a well-formed sid of an anonymous visitor', () => {
    expect(stickyIdentity(undefined, `a=b; sid=${sid}`, 'sid')).toEqual({ key: sid });
  });

  it('issues a sid when the cookie is missing or malformed', () => {
    for (const cookie of [undefined, 'sid=x', 'other=1']) {
      const identity = stickyIdentity(undefined, cookie, 'sid');
      expect(identity.issuedSid).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(identity.key).toBe(identity.issuedSid);
      expect(identity.userId).toBeUndefined();
    }
  });

  it('reads the configured cookie name', () => {
    expect(stickyIdentity(undefined, `sid=x; edge_sid=${sid}`, 'edge_sid')).toEqual({ key: sid });
  });
});
