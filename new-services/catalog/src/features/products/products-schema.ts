import { z } from 'zod';
import { paginationQuery } from '@strangler/platform';

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

// z.object (not strict): unknown query parameters are ignored.
export const listProductsQuerySchema = z.object({
  q: z.string().min(1).max(100).optional(),
  ...paginationQuery,
});

export type CreateProductBody = z.output<typeof createProductSchema>;
export type UpdateProductBody = z.output<typeof updateProductSchema>;
export type ListProductsQuery = z.output<typeof listProductsQuerySchema>;
