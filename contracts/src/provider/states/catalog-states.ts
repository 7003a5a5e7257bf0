import { z } from 'zod';
import { CATALOG_STATES } from '../../provider-states.js';
import { stateParams, type StateHandlers } from './state-params.js';

export interface ProductSeed {
  id: number;
  sku: string;
  name: string;
  description: string;
  price: { amountMinor: number; currency: string };
  active: boolean;
  stock: { quantity: number; reserved: number };
}

/**
 * What the catalog states need from an implementation's storage: one adapter per implementation (legacy's
 * `products` + `inventory`, the catalog service's `products` with its stock columns); the states are written once.
 */
export interface CatalogStateStore {
  /** Afterwards exactly this product (with this stock) has this id and this sku: whatever held either is gone. */
  putProduct(product: ProductSeed): Promise<void>;
  removeProduct(id: number): Promise<void>;
  removeProductBySku(sku: string): Promise<void>;
  removeAllProducts(): Promise<void>;
}

const id = z.number().int().positive();
const product = z.strictObject({
  id,
  sku: z.string().min(1),
  name: z.string().min(1),
  description: z.string().default(''),
  price: z.strictObject({ amountMinor: z.number().int().min(0), currency: z.string().length(3) }),
  active: z.boolean().default(true),
});
const stock = z.strictObject({ id, quantity: z.number().int().min(0), reserved: z.number().int().min(0) });

const NO_STOCK = { quantity: 0, reserved: 0 };

export function catalogStateHandlers(store: CatalogStateStore): StateHandlers {
  return {
    [CATALOG_STATES.productExists]: async (params) => {
      await store.putProduct({ ...stateParams(CATALOG_STATES.productExists, product, params), stock: NO_STOCK });
      return undefined;
    },
    [CATALOG_STATES.noProductWithId]: async (params) => {
      await store.removeProduct(stateParams(CATALOG_STATES.noProductWithId, z.object({ id }), params).id);
      return undefined;
    },
    [CATALOG_STATES.noProductWithSku]: async (params) => {
      await store.removeProductBySku(stateParams(CATALOG_STATES.noProductWithSku, z.object({ sku: z.string().min(1) }), params).sku);
      return undefined;
    },
    // The state says nothing about the product itself, so any valid product with that id and stock will do.
    [CATALOG_STATES.stock]: async (params) => {
      const s = stateParams(CATALOG_STATES.stock, stock.refine((v) => v.reserved <= v.quantity, 'reserved exceeds quantity'), params);
      await store.putProduct({
        id: s.id,
        sku: `STOCK-${s.id}`,
        name: `Stock item ${s.id}`,
        description: '',
        price: { amountMinor: 100, currency: 'EUR' },
        active: true,
        stock: { quantity: s.quantity, reserved: s.reserved },
      });
      return undefined;
    },
    [CATALOG_STATES.onlyProducts]: async (params) => {
      const { products } = stateParams(CATALOG_STATES.onlyProducts, z.object({ products: z.array(product) }), params);
      await store.removeAllProducts();
      for (const p of products) await store.putProduct({ ...p, stock: NO_STOCK });
      return undefined;
    },
  };
}
