import { describe, expect, it } from 'vitest';
import { checkRequestTarget, declaredLength } from './request-target.js';

describe('checkRequestTarget', () => {
  it.each([
    ['/api/users/1', '/api/users/1'],
    ['/api/users?email=a%40b.c&page=2', '/api/users'],
    ['/api/products?q=..%2F..', '/api/products'],
    ['/api/users/caf%C3%A9', '/api/users/caf%C3%A9'],
    ['/api/users/a.b/..c', '/api/users/a.b/..c'],
    ['/', '/'],
  ])('accepts %s', (url, path) => {
    expect(checkRequestTarget(url, 'edge')).toEqual({ ok: true, path, url });
  });

  it.each([
    ['/api/../admin', 'PATH_TRAVERSAL'],
    ['/..', 'PATH_TRAVERSAL'],
    ['/api/./users', 'PATH_TRAVERSAL'],
    ['/api/users/..', 'PATH_TRAVERSAL'],
    ['/api/%2e%2e/admin', 'PATH_TRAVERSAL'],
    ['/api/%2E%2E/admin', 'PATH_TRAVERSAL'],
    ['/api/.%2e/admin', 'PATH_TRAVERSAL'],
    ['/api/%2e./admin', 'PATH_TRAVERSAL'],
    ['/api/%2e/admin', 'PATH_TRAVERSAL'],
    ['/api/%252e%252e/admin', 'BAD_PATH_ENCODING'],
    ['/api/users/1%252fadmin', 'BAD_PATH_ENCODING'],
    ['/api/users/1%2fadmin', 'BAD_PATH'],
    ['/api/users/1%2Fadmin', 'BAD_PATH'],
    ['/api/users/1%5cadmin', 'BAD_PATH'],
    ['/api\\users', 'BAD_PATH'],
    ['/api/users/1\0', 'BAD_PATH'],
    ['/api/users/1%00', 'BAD_PATH'],
    ['/api/users/%zz', 'BAD_PATH_ENCODING'],
    ['/api/users/%', 'BAD_PATH_ENCODING'],
    ['/api/users/%c0%ae%c0%ae', 'BAD_PATH_ENCODING'],
    ['/api/users#frag', 'BAD_REQUEST_TARGET'],
    ['*', 'BAD_REQUEST_TARGET'],
    ['api/users', 'BAD_REQUEST_TARGET'],
    ['http://169.254.169.254/latest', 'FOREIGN_HOST'],
    ['https://evil.example/api/users', 'FOREIGN_HOST'],
    ['http://edge.evil/api', 'FOREIGN_HOST'],
  ])('refuses %j with %s', (url, code) => {
    expect(checkRequestTarget(url, 'edge')).toMatchObject({ ok: false, status: 400, code });
  });

  it('accepts an absolute-form target naming its own host, as origin-form', () => {
    expect(checkRequestTarget('http://Edge:8000/api/users/1?x=1', 'edge:8000')).toEqual({ ok: true, path: '/api/users/1', url: '/api/users/1?x=1' });
    expect(checkRequestTarget('http://edge:8000', 'edge:8000')).toEqual({ ok: true, path: '/', url: '/' });
    expect(checkRequestTarget('http://edge:8000?x', 'edge:8000')).toEqual({ ok: true, path: '/', url: '/?x' });
  });

  it('still checks the path of an accepted absolute-form target', () => {
    expect(checkRequestTarget('http://edge/api/%2e%2e/x', 'edge')).toMatchObject({ ok: false, code: 'PATH_TRAVERSAL' });
  });

  it('refuses absolute-form when there is no Host to compare with', () => {
    expect(checkRequestTarget('http://edge/api', undefined)).toMatchObject({ ok: false, code: 'FOREIGN_HOST' });
  });
});

describe('declaredLength', () => {
  it.each([
    [undefined, undefined],
    ['0', 0],
    ['1024', 1024],
    ['', 'invalid'],
    ['-1', 'invalid'],
    ['1e3', 'invalid'],
    ['12 ', 'invalid'],
    ['5, 5', 'invalid'],
    ['9'.repeat(16), 'invalid'],
  ])('%j → %j', (value, expected) => {
    expect(declaredLength(value)).toBe(expected);
  });
});
