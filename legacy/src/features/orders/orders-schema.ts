import { z } from 'zod';
import { MAX_ID, paginationQuery } from '@strangler/platform';

export const MAX_ITEMS = 50;
export const MAX_QUANTITY = 1000;

// Naming a product twice is refused by the service with its own code (DUPLICATE_PRODUCT), not here.
export const placeOrderSchema = z.strictObject({
  items: z
    .array(
      z.strictObject({
        productId: z.int().min(1).max(MAX_ID),
        quantity: z.int().min(1).max(MAX_QUANTITY),
      }),
    )
    .min(1)
    .max(MAX_ITEMS),
});

// z.object (not strict): unknown query parameters are ignored.
export const listOrdersQuerySchema = z.object({
  ...paginationQuery,
});

export type PlaceOrderBody = z.output<typeof placeOrderSchema>;
export type ListOrdersQuery = z.output<typeof listOrdersQuerySchema>;
