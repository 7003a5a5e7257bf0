import { Router } from 'express';
import { authenticatedUserId, parseInput, pathIdSchema, requireAuth } from '@strangler/platform';
import type { TokenService } from '../auth/tokens.js';
import type { Order } from './orders-store-type.js';
import type { OrdersService } from './orders-service.js';
import { listOrdersQuerySchema, placeOrderSchema } from './orders-schema.js';

/** The public JSON shape of an order. */
export interface OrderJson {
  id: number;
  userId: number;
  status: Order['status'];
  items: Array<{ productId: number; quantity: number; unitPrice: { amountMinor: number; currency: string } }>;
  total: { amountMinor: number; currency: string };
  createdAt: string;
  updatedAt: string;
}

export function toOrderJson(order: Order): OrderJson {
  return {
    id: order.id,
    userId: order.userId,
    status: order.status,
    items: order.items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      unitPrice: { amountMinor: item.unitPrice.amountMinor, currency: item.unitPrice.currency },
    })),
    total: { amountMinor: order.total.amountMinor, currency: order.total.currency },
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

function parseId(raw: unknown): number {
  return parseInput(pathIdSchema, raw, 'INVALID_ID');
}

interface OrdersRouterDeps {
  orders: OrdersService;
  tokens: TokenService;
}

/** /api/orders. Every route needs a token; authentication runs per route so unknown paths stay 404s. */
export function createOrdersRouter(deps: OrdersRouterDeps): Router {
  const { orders } = deps;
  const router = Router();
  const authenticated = requireAuth(deps.tokens);

  router.post('/', authenticated, async (req, res) => {
    const body = parseInput(placeOrderSchema, req.body);
    const order = await orders.place(authenticatedUserId(res), body);
    res.status(201).location(`/api/orders/${order.id}`).json(toOrderJson(order));
  });

  router.get('/:id', authenticated, async (req, res) => {
    const id = parseId(req.params.id);
    res.json(toOrderJson(await orders.get(authenticatedUserId(res), id)));
  });

  router.post('/:id/cancel', authenticated, async (req, res) => {
    const id = parseId(req.params.id);
    res.json(toOrderJson(await orders.cancel(authenticatedUserId(res), id)));
  });

  return router;
}

/**
 * GET /api/users/:id/orders. Mounted at /api/users ahead of the users router, so it declares only this one route
 * (no router-wide middleware) and every other path falls through.
 */
export function createUserOrdersRouter(deps: OrdersRouterDeps): Router {
  const { orders } = deps;
  const router = Router();

  router.get('/:id/orders', requireAuth(deps.tokens), async (req, res) => {
    const userId = parseId(req.params.id);
    const query = parseInput(listOrdersQuerySchema, req.query);
    const page = await orders.listForUser(authenticatedUserId(res), userId, query);
    res.json({ items: page.items.map(toOrderJson), page: page.page, pageSize: page.pageSize, total: page.total });
  });

  return router;
}
