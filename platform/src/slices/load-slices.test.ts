import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SLICES_DIR, loadSlices, SliceManifestError } from './load-slices.js';

const usersManifest = () => JSON.parse(readFileSync(join(DEFAULT_SLICES_DIR, 'users.json'), 'utf8')) as Record<string, unknown>;

const dirs: string[] = [];
function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'slices-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function problemsOf(dir: string): string[] {
  try {
    loadSlices(dir);
  } catch (error) {
    expect(error).toBeInstanceOf(SliceManifestError);
    return (error as SliceManifestError).problems;
  }
  throw new Error('expected the manifests to be rejected');
}

/** A second, valid slice that shares nothing with users. */
function ordersManifest(): Record<string, unknown> {
  return {
    ...usersManifest(),
    name: 'orders',
    description: 'Orders',
    service: { name: 'orders-service', workspace: 'new-services/orders', database: 'orders_svc', port: { setting: 'ORDERS_PORT', default: 3003 } },
    routes: { reads: [{ methods: ['GET'], path: '/api/orders/:id' }], writes: [{ methods: ['POST'], path: '/api/orders' }] },
    flags: { reads: 'orders.reads' },
    tables: [{ legacy: 'orders', service: 'orders' }],
    projector: { name: 'orders', port: { setting: 'ORDERS_PROJECTOR_PORT', default: 3103 } },
  };
}

describe('loadSlices', () => {
  it("reads the repository's manifests, sorted by name", () => {
    const slices = loadSlices();
    expect(slices.map((slice) => slice.name)).toEqual(['catalog', 'users']);
    const users = slices.find((slice) => slice.name === 'users');
    expect(users).toMatchObject({ flags: { reads: 'users.reads' }, service: { database: 'users_svc', port: { setting: 'USERS_PORT', default: 3001 } } });
    expect(users?.file).toBe(join(DEFAULT_SLICES_DIR, 'users.json'));
  });

  it('takes any folder of valid manifests', () => {
    const dir = folder({ 'users.json': usersManifest(), 'orders.json': ordersManifest(), 'README.md': 'not a manifest' });
    expect(loadSlices(dir).map((slice) => slice.name)).toEqual(['orders', 'users']);
  });

  it('strips trailing slashes from base URLs', () => {
    const dir = folder({ 'users.json': { ...usersManifest(), urls: { legacy: 'http://127.0.0.1:3000/', service: 'http://127.0.0.1:3001//' } } });
    expect(loadSlices(dir)[0]?.urls).toEqual({ legacy: 'http://127.0.0.1:3000', service: 'http://127.0.0.1:3001' });
  });

  it('names the folder when it is missing or empty', () => {
    expect(problemsOf('/nonexistent/slices')[0]).toMatch(/cannot read the folder/);
    expect(problemsOf(folder({}))).toEqual(['no slice manifest (<name>.json) in the folder']);
  });

  it('rejects a manifest that is not JSON, or whose file name is not its name', () => {
    const problems = problemsOf(folder({ 'broken.json': '{ nope', 'people.json': usersManifest() }));
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^broken\.json: not readable JSON/);
    expect(problems[1]).toBe('people.json: the slice is named "users", so its file must be users.json');
  });

  it.each([
    ['an unknown field', { extra: true }, /Unrecognized key/],
    ['a write method on a read route', { routes: { reads: [{ methods: ['POST'], path: '/api/users' }], writes: [] } }, /POST is not a read method/],
    ['a flag name with spaces', { flags: { reads: 'users reads' } }, /expected a flag name/],
    ['a route with a trailing slash', { routes: { reads: [{ methods: ['GET'], path: '/api/users/' }], writes: [] } }, /no trailing slash/],
    ['no legacy table', { tables: [] }, /at least one legacy table/],
    ['a reserved name', { name: 'legacy' }, /reserved/],
    ['a port setting not ending in _PORT', { service: { ...(usersManifest().service as object), port: { setting: 'USERS', default: 3001 } } }, /_PORT/],
  ])('rejects %s', (_what, change, message) => {
    const problems = problemsOf(folder({ 'users.json': { ...usersManifest(), ...change } }));
    expect(problems.join('\n')).toMatch(message);
  });

  it('rejects two slices that share a flag, a database, a port or a route', () => {
    const clash = {
      ...ordersManifest(),
      flags: { reads: 'orders.reads' },
      service: { name: 'orders-service', workspace: 'new-services/orders', database: 'users_svc', port: { setting: 'ORDERS_PORT', default: 3001 } },
      routes: { reads: [{ methods: ['GET'], path: '/api/users/:key' }], writes: [] },
    };
    const problems = problemsOf(folder({ 'users.json': usersManifest(), 'orders.json': clash }));
    expect(problems).toEqual([
      'users.json: database users_svc is already used by slice "orders"',
      'users.json: default port 3001 is already used by slice "orders"',
      'users.json: route GET /api/users/: is already used by slice "orders"',
    ]);
  });
});
