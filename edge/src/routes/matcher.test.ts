import { describe, expect, it } from 'vitest';
import { compileRoutes } from './matcher.js';
import { buildRouteTable, loadRouteTable } from './route-table.js';
import { edgeConfig } from '../config.js';

const table = loadRouteTable(edgeConfig.spec.slicesDir.default);
const matcher = compileRoutes(table);
const sliceOf = (method: string, path: string) => matcher.match(method, path)?.name ?? 'legacy';

describe('compileRoutes on the shipped route table', () => {
  it.each([
    ['GET', '/api/users', 'users'],
    ['HEAD', '/api/users', 'users'],
    ['GET', '/api/users/5', 'users'],
    ['GET', '/api/users/5/', 'users'],
    ['HEAD', '/api/users/abc', 'users'],
    ['GET', '/api/users/5/orders', 'legacy'],
    ['POST', '/api/users', 'legacy'],
    ['PATCH', '/api/users/5', 'legacy'],
    ['DELETE', '/api/users/5', 'legacy'],
    ['GET', '/api/products', 'catalog'],
    ['GET', '/api/products/7', 'catalog'],
    ['GET', '/api/products/7/stock', 'catalog'],
    ['HEAD', '/api/products/7/stock', 'catalog'],
    ['PUT', '/api/products/7/stock', 'legacy'],
    ['GET', '/api/products/7/stock/history', 'legacy'],
    ['GET', '/api/orders/1', 'legacy'],
    ['POST', '/api/auth/login', 'legacy'],
    ['GET', '/', 'legacy'],
    ['GET', '/api', 'legacy'],
    ['GET', '/api//users', 'legacy'],
    ['GET', '/api/users//', 'legacy'],
    ['GET', '/API/users/5', 'legacy'],
    ['OPTIONS', '/api/users/5', 'legacy'],
  ])('%s %s → %s', (method, path, expected) => {
    expect(sliceOf(method, path)).toBe(expected);
  });
});

describe('compileRoutes precedence', () => {
  it('prefers literal segments over parameters, whichever slice lists them first', () => {
    const custom = compileRoutes(
      buildRouteTable({
        legacy: 'http://127.0.0.1:3000',
        slices: [
          { name: 'by-id', flag: 'a', service: 'http://127.0.0.1:3001', routes: [{ methods: ['GET'], path: '/api/things/:id' }] },
          { name: 'search', flag: 'b', service: 'http://127.0.0.1:3002', routes: [{ methods: ['GET'], path: '/api/things/search' }] },
        ],
      }),
    );
    expect(custom.match('GET', '/api/things/search')?.name).toBe('search');
    expect(custom.match('GET', '/api/things/42')?.name).toBe('by-id');
    expect(custom.match('GET', '/api/things')).toBeUndefined();
  });

  it('matches nothing for an empty table', () => {
    expect(compileRoutes(buildRouteTable({ legacy: 'http://127.0.0.1:3000', slices: [] })).match('GET', '/api/users/1')).toBeUndefined();
  });
});
