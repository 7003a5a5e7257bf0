import { afterAll, describe, expect, it } from 'vitest';
import { MatchersV3 } from '@pact-foundation/pact';
import { createStorefrontClient, type ApiError } from '../storefront-client.js';
import { comparablePact, readPactFile } from '../pact-file.js';
import { CATALOG_STATES } from '../provider-states.js';
import { createConsumerPact, errorBody, runInteraction, isoDateTime } from './consumer-pact.js';

const { integer } = MatchersV3;

// The storefront's expectations of /api/products/** (catalog and stock). Runs the real client against the mock.
const { pact, pactFile, committedFile, dispose } = createConsumerPact('catalog-api');
afterAll(dispose);

const expectApiError = (status: number, code: string) => expect.objectContaining({ name: 'ApiError', status, code } satisfies Partial<ApiError>);
const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);

const lamp = {
  id: 201,
  sku: 'LAMP-01',
  name: 'Desk lamp',
  description: 'A lamp for the desk',
  price: { amountMinor: 2599, currency: 'EUR' },
  active: true,
};

/** Products as the state parameters describe them and as the API must serve them (plus timestamps). */
const catalog = [
  { id: 101, sku: 'MUG-RED', name: 'Red mug', description: 'Holds coffee', price: { amountMinor: 899, currency: 'EUR' }, active: true },
  { id: 102, sku: 'MUG-BLUE', name: 'Blue mug', description: 'Holds tea', price: { amountMinor: 949, currency: 'EUR' }, active: true },
  { id: 103, sku: 'TEE-BLACK', name: 'Black tee', description: 'Cotton', price: { amountMinor: 1999, currency: 'EUR' }, active: false },
];

describe('storefront → catalog-api', () => {
  it('lists products matching q, one page at a time: 200 with a page', async () => {
    const blueMug = catalog[1]!;
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(CATALOG_STATES.onlyProducts, { products: catalog })
          .uponReceiving('a search for "mug", second page of one')
          .withRequest('GET', '/api/products', (req) => req.query({ q: 'mug', page: '2', pageSize: '1' }).headers({ accept: 'application/json' }))
          .willRespondWith(200, (res) =>
            // Both mugs match (by name and by sku, case-insensitively); ordered by id, so page 2 is the blue one.
            res.jsonBody({ items: [{ ...blueMug, createdAt: isoDateTime(), updatedAt: isoDateTime() }], page: 2, pageSize: 1, total: 2 }),
          ),
      async (server) => {
        const page = await createStorefrontClient(server.url).listProducts({ q: 'mug', page: 2, pageSize: 1 });
        expect(page).toEqual({ items: [{ ...blueMug, createdAt: ISO, updatedAt: ISO }], page: 2, pageSize: 1, total: 2 });
      },
    );
  });

  it('gets a product: 200', async () => {
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(CATALOG_STATES.productExists, lamp)
          .uponReceiving('a request for product 201')
          .withRequest('GET', '/api/products/201', (req) => req.headers({ accept: 'application/json' }))
          .willRespondWith(200, (res) => res.jsonBody({ ...lamp, createdAt: isoDateTime(), updatedAt: isoDateTime() })),
      async (server) => {
        expect(await createStorefrontClient(server.url).getProduct(201)).toEqual({ ...lamp, createdAt: ISO, updatedAt: ISO });
      },
    );
  });

  it('gets an unknown product: 404 PRODUCT_NOT_FOUND', async () => {
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(CATALOG_STATES.noProductWithId, { id: 999999 })
          .uponReceiving('a request for a product that does not exist')
          .withRequest('GET', '/api/products/999999', (req) => req.headers({ accept: 'application/json' }))
          .willRespondWith(404, (res) => res.jsonBody(errorBody('PRODUCT_NOT_FOUND', 'Product 999999 not found'))),
      async (server) => {
        await expect(createStorefrontClient(server.url).getProduct(999999)).rejects.toEqual(expectApiError(404, 'PRODUCT_NOT_FOUND'));
      },
    );
  });

  it('rejects an id that cannot exist: 400 INVALID_ID', async () => {
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .uponReceiving('a request for product 0')
          .withRequest('GET', '/api/products/0', (req) => req.headers({ accept: 'application/json' }))
          .willRespondWith(400, (res) => res.jsonBody(errorBody('INVALID_ID', 'must be a positive integer'))),
      async (server) => {
        await expect(createStorefrontClient(server.url).getProduct(0)).rejects.toEqual(expectApiError(400, 'INVALID_ID'));
      },
    );
  });

  it('creates a product: 201 with the public product shape', async () => {
    const body = { sku: 'KETTLE-1', name: 'Kettle', description: 'Boils water', price: { amountMinor: 3499, currency: 'EUR' }, active: true };
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(CATALOG_STATES.noProductWithSku, { sku: body.sku })
          .uponReceiving('a request to create a product')
          .withRequest('POST', '/api/products', (req) => req.headers({ accept: 'application/json' }).jsonBody(body))
          .willRespondWith(201, (res) => res.jsonBody({ id: integer(77), ...body, createdAt: isoDateTime(), updatedAt: isoDateTime() })),
      async (server) => {
        expect(await createStorefrontClient(server.url).createProduct(body)).toEqual({ id: 77, ...body, createdAt: ISO, updatedAt: ISO });
      },
    );
  });

  it('rejects a product whose sku is taken: 409 SKU_TAKEN', async () => {
    const taken = { ...lamp, id: 202, sku: 'TAKEN-SKU', name: 'Existing product' };
    const body = { sku: 'TAKEN-SKU', name: 'Another product', price: { amountMinor: 100, currency: 'EUR' } };
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(CATALOG_STATES.productExists, taken)
          .uponReceiving('a request to create a product with a sku that is taken')
          .withRequest('POST', '/api/products', (req) => req.headers({ accept: 'application/json' }).jsonBody(body))
          .willRespondWith(409, (res) => res.jsonBody(errorBody('SKU_TAKEN', 'SKU TAKEN-SKU is already taken'))),
      async (server) => {
        await expect(createStorefrontClient(server.url).createProduct(body)).rejects.toEqual(expectApiError(409, 'SKU_TAKEN'));
      },
    );
  });

  it("gets a product's stock: 200 with available = quantity - reserved", async () => {
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(CATALOG_STATES.stock, { id: 203, quantity: 10, reserved: 3 })
          .uponReceiving('a request for the stock of product 203')
          .withRequest('GET', '/api/products/203/stock', (req) => req.headers({ accept: 'application/json' }))
          .willRespondWith(200, (res) => res.jsonBody({ productId: 203, quantity: 10, reserved: 3, available: 7 })),
      async (server) => {
        expect(await createStorefrontClient(server.url).getStock(203)).toEqual({ productId: 203, quantity: 10, reserved: 3, available: 7 });
      },
    );
  });

  it('sets the stock: 200 with the new stock', async () => {
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(CATALOG_STATES.stock, { id: 205, quantity: 10, reserved: 4 })
          .uponReceiving('a request to set the stock of product 205 to 25')
          .withRequest('PUT', '/api/products/205/stock', (req) => req.headers({ accept: 'application/json' }).jsonBody({ quantity: 25 }))
          .willRespondWith(200, (res) => res.jsonBody({ productId: 205, quantity: 25, reserved: 4, available: 21 })),
      async (server) => {
        expect(await createStorefrontClient(server.url).setStock(205, 25)).toEqual({ productId: 205, quantity: 25, reserved: 4, available: 21 });
      },
    );
  });

  it('refuses to set the stock below what is reserved: 409 STOCK_BELOW_RESERVED', async () => {
    await runInteraction(
      () =>
        pact
          .addInteraction()
          .given(CATALOG_STATES.stock, { id: 204, quantity: 10, reserved: 5 })
          .uponReceiving('a request to set the stock of product 204 below its reserved units')
          .withRequest('PUT', '/api/products/204/stock', (req) => req.headers({ accept: 'application/json' }).jsonBody({ quantity: 2 }))
          .willRespondWith(409, (res) =>
            res.jsonBody(errorBody('STOCK_BELOW_RESERVED', 'Quantity 2 is below the 5 units reserved by open orders')),
          ),
      async (server) => {
        await expect(createStorefrontClient(server.url).setStock(204, 2)).rejects.toEqual(expectApiError(409, 'STOCK_BELOW_RESERVED'));
      },
    );
  });

  // Last: by now every interaction above has been written to pactFile.
  it('generates exactly the committed pact (after changing an interaction, run `npm run contracts` and commit contracts/pacts)', () => {
    expect(comparablePact(readPactFile(pactFile))).toEqual(comparablePact(readPactFile(committedFile)));
  });
});
