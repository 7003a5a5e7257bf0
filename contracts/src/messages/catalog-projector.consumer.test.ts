import { afterAll, describe, expect, it } from 'vitest';
import { MatchersV3 } from '@pact-foundation/pact';
import { createCatalogProjector } from '@strangler/cdc';
import { MemoryDeletedKeys, RecordingProductsProjection } from '@strangler/cdc/testing/recording-projections';
import { comparablePact, readPactFile } from '../pact-file.js';
import { CHANGE_EVENTS, CHANGE_STATES, PROJECTOR_CONSUMERS } from './change-events.js';
import { createMessagePact, epochMillis, fieldsTheHandlerIgnores, handleChangeMessage, source, upsertOp } from './message-pact.js';

const { integer, string } = MatchersV3;

// What the catalog projector relies on in legacy's `products` and `inventory` change events. The handler is the real
// one: parseChangeRecord and createCatalogProjector().apply, into a projection that records what it was asked.
const { pact, pactFile, committedFile, dispose } = createMessagePact(PROJECTOR_CONSUMERS.catalog);
afterAll(dispose);

const CREATED = 1_795_572_909_304;
const UPDATED = 1_795_572_916_123;

/** The columns of a products row the projector maps (any other column may come and go). */
function productRow(values: { id: number; name: string; priceMinor: number; updatedAt: number }) {
  return {
    id: integer(values.id),
    sku: string('LAMP-1'),
    name: string(values.name),
    description: string('A warm lamp'),
    // BIGINT UNSIGNED as a JSON number (bigint.unsigned.handling.mode=long).
    price_minor: integer(values.priceMinor),
    currency: string('EUR'),
    // BOOLEAN (TINYINT(1)) arrives as 0 or 1.
    active: integer(1),
    created_at: epochMillis(CREATED),
    updated_at: epochMillis(values.updatedAt),
  };
}

/** The columns of an inventory row the projector maps. */
function inventoryRow(values: { productId: number; quantity: number; updatedAt: number }) {
  return {
    product_id: integer(values.productId),
    quantity: integer(values.quantity),
    reserved: integer(0),
    updated_at: epochMillis(values.updatedAt),
  };
}

/** Runs the real handler on a message with a fresh recording projection; returns its outcome and what it recorded. */
async function handle(content: unknown) {
  const projection = new RecordingProductsProjection();
  // The projector's memory of deleted products, in memory too (no database in a consumer test).
  const deleted = new MemoryDeletedKeys();
  const outcome = await handleChangeMessage(
    createCatalogProjector(
      () => projection,
      () => deleted,
    ),
    content,
  );
  return { outcome, products: projection.products, stock: projection.stock, deletes: projection.deletes };
}

const expectEveryFieldRead = async (content: unknown) => expect(await fieldsTheHandlerIgnores(content, handle)).toEqual([]);

describe('catalog-projector ← legacy-change-events', () => {
  it.each([
    { event: CHANGE_EVENTS.productRead, state: CHANGE_STATES.productBeforeCapture, op: 'r' as const, name: 'Lamp', priceMinor: 1999 },
    { event: CHANGE_EVENTS.productCreated, state: CHANGE_STATES.productAdded, op: 'c' as const, name: 'Lamp', priceMinor: 1999 },
    { event: CHANGE_EVENTS.productUpdated, state: CHANGE_STATES.productChanged, op: 'u' as const, name: 'Desk lamp', priceMinor: 2499 },
  ])('$event.description: upserts the product from the after image', async ({ event, state, op, name, priceMinor }) => {
    const updatedAt = op === 'u' ? UPDATED : CREATED;
    await pact
      .addAsynchronousInteraction()
      .given(state)
      .expectsToReceive(event.description, (message) =>
        message.withJSONContent({ op: upsertOp(op), after: productRow({ id: 21, name, priceMinor, updatedAt }), source: source('products') }),
      )
      .executeTest(async (message) => {
        const content = message.contents.content;
        expect(await handle(content)).toEqual({
          outcome: 'inserted',
          products: [
            {
              legacyId: 21,
              sku: 'LAMP-1',
              name,
              description: 'A warm lamp',
              priceMinor,
              currency: 'EUR',
              active: true,
              createdAt: new Date(CREATED),
              updatedAt: new Date(updatedAt),
            },
          ],
          stock: [],
          deletes: [],
        });
        await expectEveryFieldRead(content);
      });
  });

  it(`${CHANGE_EVENTS.productDeleted.description}: deletes the product by the before image's id`, async () => {
    await pact
      .addAsynchronousInteraction()
      .given(CHANGE_STATES.productRemoved)
      .expectsToReceive(CHANGE_EVENTS.productDeleted.description, (message) =>
        message.withJSONContent({ op: 'd', before: { id: integer(21) }, source: source('products') }),
      )
      .executeTest(async (message) => {
        const content = message.contents.content;
        expect(await handle(content)).toEqual({ outcome: 'deleted', products: [], stock: [], deletes: [21] });
        await expectEveryFieldRead(content);
      });
  });

  it.each([
    // A product's inventory row is inserted with it (at 0) and exists before capture like its product.
    { event: CHANGE_EVENTS.inventoryRead, state: CHANGE_STATES.productBeforeCapture, op: 'r' as const, quantity: 4 },
    { event: CHANGE_EVENTS.inventoryCreated, state: CHANGE_STATES.productAdded, op: 'c' as const, quantity: 0 },
    { event: CHANGE_EVENTS.inventoryUpdated, state: CHANGE_STATES.stockSet, op: 'u' as const, quantity: 7 },
  ])('$event.description: upserts the stock from the after image', async ({ event, state, op, quantity }) => {
    const updatedAt = op === 'u' ? UPDATED : CREATED;
    await pact
      .addAsynchronousInteraction()
      .given(state)
      .expectsToReceive(event.description, (message) =>
        message.withJSONContent({ op: upsertOp(op), after: inventoryRow({ productId: 21, quantity, updatedAt }), source: source('inventory') }),
      )
      .executeTest(async (message) => {
        const content = message.contents.content;
        expect(await handle(content)).toEqual({
          outcome: 'inserted',
          products: [],
          stock: [{ legacyProductId: 21, quantity, reserved: 0, updatedAt: new Date(updatedAt) }],
          deletes: [],
        });
        await expectEveryFieldRead(content);
      });
  });

  // Last: by now every interaction above has been written to pactFile.
  it('generates exactly the committed pact (after changing an interaction, run `npm run contracts` and commit contracts/pacts)', () => {
    expect(comparablePact(readPactFile(pactFile))).toEqual(comparablePact(readPactFile(committedFile)));
  });
});
