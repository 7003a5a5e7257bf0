import type { TestApp } from '@strangler/legacy/testing/test-app';

/** What the mixed write load did, by kind, and how many requests failed for a reason other than a legit 4xx race. */
export interface LoadSummary {
  writes: number;
  byKind: Record<string, number>;
  unexpected: Array<{ kind: string; status: number; body: string }>;
  elapsedMs: number;
}

/** A small deterministic PRNG (mulberry32), so a failing run can be replayed with the same seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixed writes through legacy's public API (inserts, updates, deletes of users, products and stock), `writes` in all,
 * `concurrency` at a time. Ids to touch are picked from what exists now; a 404/409 from a race between two
 * concurrent writes (a product deleted while another request updates it) is legitimate and counted, not a failure.
 * User creation hashes a password (scrypt): it is kept rare so the load measures the pipeline, not scrypt.
 */
export async function runMixedWrites(
  legacy: TestApp,
  baseUrl: string,
  options: { writes: number; concurrency?: number; seed?: number; onProgress?: (done: number) => void; signal?: AbortSignal },
): Promise<LoadSummary> {
  const rand = random(options.seed ?? 1);
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(rand() * items.length)];
  const userIds = ((await legacy.db('users').pluck('id')) as number[]).slice();
  const productIds = ((await legacy.db('products').pluck('id')) as number[]).slice();
  const summary: LoadSummary = { writes: 0, byKind: {}, unexpected: [], elapsedMs: 0 };
  const tokens = new Map<number, string>();
  const tokenFor = async (id: number) => {
    let token = tokens.get(id);
    if (!token) {
      token = (await legacy.services.tokens.issue(id)).token;
      tokens.set(id, token);
    }
    return token;
  };
  let counter = 0;

  const send = async (kind: string, method: 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown, token?: string) => {
    // Node's fetch keeps connections alive; the worker count bounds how many are open.
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    summary.byKind[kind] = (summary.byKind[kind] ?? 0) + 1;
    const raced = response.status === 404 || response.status === 409;
    if (response.status >= 300 && !raced) summary.unexpected.push({ kind, status: response.status, body: text.slice(0, 300) });
    return { status: response.status, json: text ? (JSON.parse(text) as { id?: number }) : undefined };
  };

  const oneWrite = async () => {
    const n = ++counter;
    const roll = rand();
    if (roll < 0.02) {
      const created = await send('user.create', 'POST', '/api/users', { email: `load-${options.seed ?? 1}-${n}@example.com`, fullName: `Load ${n}`, password: 'load-password' });
      if (created.status === 201 && created.json?.id) userIds.push(created.json.id);
    } else if (roll < 0.32) {
      const id = pick(userIds);
      if (id === undefined) return;
      const patch = rand() < 0.5 ? { fullName: `Renamed ${n}` } : rand() < 0.5 ? { status: rand() < 0.5 ? 'suspended' : 'active' } : { email: `moved-${n}@example.com` };
      await send('user.update', 'PATCH', `/api/users/${id}`, patch, await tokenFor(id));
    } else if (roll < 0.36) {
      const index = Math.floor(rand() * userIds.length);
      const id = userIds[index];
      if (id === undefined) return;
      userIds.splice(index, 1);
      await send('user.delete', 'DELETE', `/api/users/${id}`, undefined, await tokenFor(id));
    } else if (roll < 0.46) {
      const created = await send('product.create', 'POST', '/api/products', {
        sku: `LOAD-${options.seed ?? 1}-${n}`,
        name: `Load product ${n}`,
        description: 'made by the CDC load',
        price: { amountMinor: Math.floor(rand() * 100_000), currency: rand() < 0.5 ? 'EUR' : 'USD' },
      });
      if (created.status === 201 && created.json?.id) productIds.push(created.json.id);
    } else if (roll < 0.71) {
      const id = pick(productIds);
      if (id === undefined) return;
      const patch = rand() < 0.4 ? { name: `Product ${n}` } : rand() < 0.5 ? { price: { amountMinor: Math.floor(rand() * 1_000_000), currency: 'EUR' } } : { active: rand() < 0.5 };
      await send('product.update', 'PATCH', `/api/products/${id}`, patch);
    } else if (roll < 0.96) {
      const id = pick(productIds);
      if (id === undefined) return;
      await send('stock.set', 'PUT', `/api/products/${id}/stock`, { quantity: Math.floor(rand() * 500) });
    } else {
      const index = Math.floor(rand() * productIds.length);
      const id = productIds[index];
      if (id === undefined) return;
      productIds.splice(index, 1);
      await send('product.delete', 'DELETE', `/api/products/${id}`);
    }
    summary.writes++;
    if (summary.writes % 1000 === 0) options.onProgress?.(summary.writes);
  };

  const started = performance.now();
  let issued = 0;
  const worker = async () => {
    while (issued < options.writes && !options.signal?.aborted) {
      issued++;
      await oneWrite();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  summary.elapsedMs = performance.now() - started;
  return summary;
}
