import { z } from 'zod';

/** Largest INT the id columns hold; larger ids can never exist. */
export const MAX_ID = 2_147_483_647;

/** A path id: canonical decimal (no sign, no leading zero), within INT range. Parse with code INVALID_ID. */
export const productIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')
  .transform(Number)
  .refine((id) => id <= MAX_ID, `must be at most ${MAX_ID}`);

const sku = z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,63}$/, 'must be 1-64 of A-Z, 0-9 and "-", not starting with "-"');
// Trim first, then validate what will be stored.
const name = z.string().trim().min(1).max(200);
const description = z.string().max(5000);
const price = z.strictObject({
  amountMinor: z.int().min(0).max(1_000_000_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ISO 4217 code'),
});
const active = z.boolean();

export const createProductSchema = z.strictObject({
  sku,
  name,
  description: description.default(''),
  price,
  active: active.default(true),
});

// The price is replaced as a whole, so it has the same (strict, complete) shape as on create.
export const updateProductSchema = z
  .strictObject({
    sku: sku.optional(),
    name: name.optional(),
    description: description.optional(),
    price: price.optional(),
    active: active.optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), 'at least one field is required');

export const setStockSchema = z.strictObject({
  quantity: z.int().min(0).max(1_000_000_000),
});

/** Query values arrive as strings (or arrays when repeated); only plain decimal strings are accepted. */
const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

// z.object (not strict): unknown query parameters are ignored.
export const listProductsQuerySchema = z.object({
  q: z.string().min(1).max(100).optional(),
  page: queryInt(1, MAX_ID).default(1),
  pageSize: queryInt(1, 100).default(20),
});

export type CreateProductBody = z.output<typeof createProductSchema>;
export type UpdateProductBody = z.output<typeof updateProductSchema>;
export type ListProductsQuery = z.output<typeof listProductsQuerySchema>;
