import { Router } from 'express';
import { parseInput, pathIdSchema } from '@strangler/platform';
import type { Product, Stock } from './products-store-type.js';
import type { ProductsService } from './products-service.js';
import {
  createProductSchema,
  listProductsQuerySchema,
  setStockSchema,
  updateProductSchema,
} from './products-schema.js';

/** The public JSON shape of a product. */
export interface ProductJson {
  id: number;
  sku: string;
  name: string;
  description: string;
  price: { amountMinor: number; currency: string };
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface StockJson {
  productId: number;
  quantity: number;
  reserved: number;
  available: number;
}

export function toProductJson(product: Product): ProductJson {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    description: product.description,
    price: { amountMinor: product.price.amountMinor, currency: product.price.currency },
    active: product.active,
    createdAt: product.createdAt.toISOString(),
    updatedAt: product.updatedAt.toISOString(),
  };
}

export function toStockJson(stock: Stock): StockJson {
  return { productId: stock.productId, quantity: stock.quantity, reserved: stock.reserved, available: stock.quantity - stock.reserved };
}

function parseProductId(raw: unknown): number {
  return parseInput(pathIdSchema, raw, 'INVALID_ID');
}

/** /api/products: the catalog and each product's stock. */
export function createProductsRouter(deps: { products: ProductsService }): Router {
  const { products } = deps;
  const router = Router();

  router.get('/', async (req, res) => {
    const query = parseInput(listProductsQuerySchema, req.query);
    const page = await products.list(query);
    res.json({ items: page.items.map(toProductJson), page: page.page, pageSize: page.pageSize, total: page.total });
  });

  router.post('/', async (req, res) => {
    const body = parseInput(createProductSchema, req.body);
    const product = await products.create(body);
    res.status(201).location(`/api/products/${product.id}`).json(toProductJson(product));
  });

  router.get('/:id', async (req, res) => {
    res.json(toProductJson(await products.get(parseProductId(req.params.id))));
  });

  router.patch('/:id', async (req, res) => {
    const id = parseProductId(req.params.id);
    const patch = parseInput(updateProductSchema, req.body);
    res.json(toProductJson(await products.update(id, patch)));
  });

  router.delete('/:id', async (req, res) => {
    await products.delete(parseProductId(req.params.id));
    res.status(204).end();
  });

  router.get('/:id/stock', async (req, res) => {
    res.json(toStockJson(await products.getStock(parseProductId(req.params.id))));
  });

  router.put('/:id/stock', async (req, res) => {
    const id = parseProductId(req.params.id);
    const { quantity } = parseInput(setStockSchema, req.body);
    res.json(toStockJson(await products.setStock(id, quantity)));
  });

  return router;
}
