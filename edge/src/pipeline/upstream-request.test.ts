import { describe, expect, it } from 'vitest';
import { upstreamPath } from './upstream-request.js';

describe('upstreamPath', () => {
  // What http-proxy (url.parse + its urlJoin) sent for these, so moving off it changed no upstream's request line.
  it.each([
    ['', '/api/users/1', '/api/users/1'],
    ['', '/api/users?email=a%40b.c', '/api/users?email=a%40b.c'],
    ['', '/api/products?page=2&q=tea', '/api/products?page=2&q=tea'],
    ['', '/a?b?c', '/a?b?c'],
    ['', '/', '/'],
    ['', '/api//users/5', '/api/users/5'],
    ['', '//x/y', '/x/y'],
    ['', '/a?x//y', '/a?x//y'],
    ['', '/r/http:/x', '/r/http://x'],
    ['', '/u?email=a@b.c', '/u?email=a@b.c'],
    ['', "/]@?a+?'", "/]@?a+?%27"],
    ['', '///x?>', '/x?%3E'],
    ['/base', '/api/users/1?x=1', '/base/api/users/1?x=1'],
    ['/base', '/', '/base/'],
    ['/base', '/a//b?c//d', '/base/a/b?c//d'],
  ])('%j + %j → %j', (base, url, expected) => {
    expect(upstreamPath(base, url)).toBe(expected);
  });

  it('passes the usual request line through as the same string, unparsed', () => {
    const url = '/api/users/17?fields=name';
    expect(upstreamPath('', url)).toBe(url);
  });
});
