import { z } from 'zod';

/** Largest INT the id columns hold; larger ids can never exist. */
export const MAX_ID = 2_147_483_647;

/** A path id: canonical decimal (no sign, no leading zero), within INT range. Parse with code INVALID_ID. */
export const idParamSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')
  .transform(Number)
  .refine((id) => id <= MAX_ID, `must be at most ${MAX_ID}`);

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

/** Query values arrive as strings (or arrays when repeated); only plain decimal strings are accepted. */
const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

// z.object (not strict): unknown query parameters are ignored.
export const listOrdersQuerySchema = z.object({
  page: queryInt(1, MAX_ID).default(1),
  pageSize: queryInt(1, 100).default(20),
});

export type PlaceOrderBody = z.output<typeof placeOrderSchema>;
export type ListOrdersQuery = z.output<typeof listOrdersQuerySchema>;
