import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { edgeConfig } from '../config.js';
import { buildRouteTable, loadRouteTable, RouteTableError } from './route-table.js';

const slice = (overrides: Record<string, unknown> = {}) => ({
  name: 'users',
  flag: 'users.reads',
  service: 'http://127.0.0.1:3001',
  routes: [{ methods: ['GET', 'HEAD'], path: '/api/users/:id' }],
  ...overrides,
});

function problems(raw: unknown, overrides: Array<{ key: string; url: string }> = []): string[] {
  try {
    buildRouteTable(raw, overrides);
  } catch (error) {
    if (error instanceof RouteTableError) return error.problems;
    throw error;
  }
  return [];
}

describe('the route table of the shipped slice manifests', () => {
  it('is valid and has the users and catalog slices on their default ports', () => {
    const table = loadRouteTable(edgeConfig.spec.slicesDir.default);
    expect(table.legacy).toBe('http://127.0.0.1:3000');
    const byName = (name: string) => table.slices.find((s) => s.name === name)!;
    expect(['users', 'catalog'].map(byName).map((s) => [s.name, s.flag, s.service, s.legacy])).toEqual([
      ['users', 'users.reads', 'http://127.0.0.1:3001', 'http://127.0.0.1:3000'],
      ['catalog', 'catalog.reads', 'http://127.0.0.1:3002', 'http://127.0.0.1:3000'],
    ]);
    expect(byName('users').routes.map((r) => r.path)).toEqual(['/api/users', '/api/users/:id']);
    expect(byName('catalog').routes.map((r) => r.path)).toEqual(['/api/products', '/api/products/:id', '/api/products/:id/stock']);
    for (const s of table.slices) for (const r of s.routes) expect([...r.methods]).toEqual(['GET', 'HEAD']);
  });
});

describe('buildRouteTable', () => {
  it('defaults a slice\'s legacy target to the table\'s and trims trailing slashes', () => {
    const table = buildRouteTable({ legacy: 'http://127.0.0.1:3000/', slices: [slice({ service: 'http://127.0.0.1:3001/' })] });
    expect(table.legacy).toBe('http://127.0.0.1:3000');
    expect(table.slices[0]).toMatchObject({ legacy: 'http://127.0.0.1:3000', service: 'http://127.0.0.1:3001' });
  });

  it('applies overrides: legacy everywhere, a slice\'s service, a slice\'s legacy, in order', () => {
    const table = buildRouteTable({ legacy: 'http://127.0.0.1:3000', slices: [slice(), slice({ name: 'catalog', flag: 'c', routes: [{ methods: ['GET'], path: '/x' }] })] }, [
      { key: 'legacy', url: 'http://10.0.0.1:3000' },
      { key: 'users', url: 'http://10.0.0.2:3001' },
      { key: 'catalog.service', url: 'http://10.0.0.3:3002' },
      { key: 'catalog.legacy', url: 'http://10.0.0.4:3000' },
    ]);
    expect(table.legacy).toBe('http://10.0.0.1:3000');
    expect(table.slices.map((s) => [s.name, s.legacy, s.service])).toEqual([
      ['users', 'http://10.0.0.1:3000', 'http://10.0.0.2:3001'],
      ['catalog', 'http://10.0.0.4:3000', 'http://10.0.0.3:3002'],
    ]);
  });

  it('refuses an override for a slice that does not exist', () => {
    expect(problems({ legacy: 'http://127.0.0.1:3000', slices: [slice()] }, [{ key: 'orders', url: 'http://127.0.0.1:3009' }])).toEqual([
      'override orders: there is no slice "orders" in route table',
    ]);
  });

  it.each([
    ['a missing legacy target', { slices: [] }, 'legacy'],
    ['a non-http target', { legacy: 'ftp://x', slices: [] }, 'legacy: expected an http:// or https:// URL'],
    ['a target with a query', { legacy: 'http://x/?a=1', slices: [] }, 'legacy: expected'],
    ['an unknown key', { legacy: 'http://x', slices: [], extra: true }, 'Unrecognized key'],
    ['a slice named legacy', { legacy: 'http://x', slices: [slice({ name: 'legacy' })] }, 'reserved'],
    ['an upper-case slice name', { legacy: 'http://x', slices: [slice({ name: 'Users' })] }, 'slices.0.name'],
    ['a slice without a flag', { legacy: 'http://x', slices: [slice({ flag: '' })] }, 'slices.0.flag'],
    ['a slice without routes', { legacy: 'http://x', slices: [slice({ routes: [] })] }, 'at least one route'],
    ['a route without methods', { legacy: 'http://x', slices: [slice({ routes: [{ methods: [], path: '/a' }] })] }, 'at least one method'],
    ['an unknown method', { legacy: 'http://x', slices: [slice({ routes: [{ methods: ['FETCH'], path: '/a' }] })] }, 'slices.0.routes.0.methods.0'],
    ['a wildcard path', { legacy: 'http://x', slices: [slice({ routes: [{ methods: ['GET'], path: '/api/*' }] })] }, 'expected a path'],
    ['a trailing slash', { legacy: 'http://x', slices: [slice({ routes: [{ methods: ['GET'], path: '/api/users/' }] })] }, 'expected a path'],
    ['a dot segment', { legacy: 'http://x', slices: [slice({ routes: [{ methods: ['GET'], path: '/api/../users' }] })] }, 'dot segments'],
    ['duplicate slice names', { legacy: 'http://x', slices: [slice(), slice({ flag: 'other', routes: [{ methods: ['GET'], path: '/b' }] })] }, 'duplicate slice name "users"'],
    [
      'one route in two slices (parameter names aside)',
      { legacy: 'http://x', slices: [slice(), slice({ name: 'other', routes: [{ methods: ['GET'], path: '/api/users/:key' }] })] },
      'GET /api/users/:key is already routed by slice "users"',
    ],
  ])('refuses %s', (_name, raw, expected) => {
    const found = problems(raw);
    expect(found.join('\n')).toContain(expected);
  });
});

describe('loadRouteTable', () => {
  it('names the slices folder and the manifest in every failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edge-routes-'));
    try {
      writeFileSync(join(dir, 'broken.json'), '{"legacy": ');
      expect(() => loadRouteTable(dir)).toThrow(`Invalid route table ${dir}:\n  - broken.json: not readable JSON`);
      expect(() => loadRouteTable(join(dir, 'missing'))).toThrow(/cannot read the folder/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
