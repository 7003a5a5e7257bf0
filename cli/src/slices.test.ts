import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './config.js';
import { declaredFlags, DEFAULT_SLICES, loadSlices } from './slices.js';

const dir = mkdtempSync(join(tmpdir(), 'strangler-slices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function routes(content: unknown): string {
  const file = join(dir, `routes-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('slices from the routes file', () => {
  it('falls back to users and catalog on the default ports without a routes file', () => {
    expect(loadSlices(join(dir, 'missing.json'))).toEqual(DEFAULT_SLICES);
    expect(declaredFlags(join(dir, 'missing.json'))).toEqual(['users.reads', 'catalog.reads']);
  });

  it("reads name, flag and targets, inheriting the top-level legacy, ignoring the edge's other fields", () => {
    const file = routes({
      legacy: 'http://127.0.0.1:3000/',
      slices: [{ name: 'orders', flag: 'orders.reads', service: 'http://127.0.0.1:3003', routes: [{ methods: ['GET'], path: '/api/orders' }] }],
    });
    expect(loadSlices(file)).toEqual([{ name: 'orders', flag: 'orders.reads', legacy: 'http://127.0.0.1:3000', service: 'http://127.0.0.1:3003' }]);
    // The launcher always keeps the two extracted slices' flags too.
    expect(declaredFlags(file)).toEqual(['orders.reads', 'users.reads', 'catalog.reads']);
  });

  it('names the file and the problem when it is invalid', () => {
    expect(() => loadSlices(routes('{ nope'))).toThrow(/routes-.*\.json is not a valid routes file/);
    expect(() => loadSlices(routes({ slices: [{ name: 'users', flag: 'users reads', service: 'x' }] }))).toThrow(/slices\.0\.flag: an Unleash flag name/);
    expect(() => loadSlices(routes({ slices: [{ name: 'users', flag: 'users.reads', service: 'http://x' }] }))).toThrow(/slice "users" has no legacy target/);
  });

  it("reads the edge's committed routes file when there is one", () => {
    const file = join(REPO_ROOT, 'edge', 'routes.json');
    const slices = loadSlices(file);
    expect(slices.map((s) => s.flag)).toEqual(expect.arrayContaining(['users.reads', 'catalog.reads']));
  });
});
