import { isDeepStrictEqual } from 'node:util';

/**
 * Legacy and a slice's service compared row by row through the public API both serve (the same contract): every
 * page of a listing from each side, item by item, and each item's sub-resources. The test's view of "both stores
 * agree"; reconciliation proper is the product's job (issue 14).
 */

export interface Listing {
  /** A paged listing both serve, ordered by id: `/api/users`. */
  path: string;
  /** Per-item paths compared too (`(id) => [`/api/products/${id}/stock`]`). */
  itemPaths?: (id: number) => string[];
}

export interface Disagreement {
  path: string;
  legacy: unknown;
  service: unknown;
}

interface Page {
  items: Array<{ id: number }>;
  total: number;
}

const PAGE_SIZE = 100;

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

async function allItems(baseUrl: string, path: string): Promise<Array<{ id: number }>> {
  const items: Array<{ id: number }> = [];
  for (let page = 1; ; page++) {
    const { status, body } = await getJson(`${baseUrl}${path}?page=${page}&pageSize=${PAGE_SIZE}`);
    if (status !== 200) throw new Error(`GET ${baseUrl}${path} page ${page}: ${status} ${JSON.stringify(body)}`);
    const { items: pageItems, total } = body as Page;
    items.push(...pageItems);
    if (pageItems.length === 0 || items.length >= total) return items;
  }
}

/** Every disagreement between the two sides for these listings (empty when they agree row by row). */
export async function compareStores(legacyUrl: string, serviceUrl: string, listings: readonly Listing[]): Promise<Disagreement[]> {
  const disagreements: Disagreement[] = [];
  for (const listing of listings) {
    const [legacyItems, serviceItems] = await Promise.all([allItems(legacyUrl, listing.path), allItems(serviceUrl, listing.path)]);
    const serviceById = new Map(serviceItems.map((item) => [item.id, item]));
    const legacyIds = new Set(legacyItems.map((item) => item.id));
    for (const item of legacyItems) {
      const other = serviceById.get(item.id);
      if (!isDeepStrictEqual(item, other)) disagreements.push({ path: `${listing.path}/${item.id}`, legacy: item, service: other });
    }
    for (const item of serviceItems) {
      if (!legacyIds.has(item.id)) disagreements.push({ path: `${listing.path}/${item.id}`, legacy: undefined, service: item });
    }
    for (const id of listing.itemPaths ? [...legacyIds] : []) {
      for (const path of listing.itemPaths?.(id) ?? []) {
        const [legacy, service] = await Promise.all([getJson(`${legacyUrl}${path}`), getJson(`${serviceUrl}${path}`)]);
        if (!isDeepStrictEqual(legacy, service)) disagreements.push({ path, legacy, service });
      }
    }
  }
  return disagreements;
}
