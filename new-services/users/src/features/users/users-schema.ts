import { z } from 'zod';
import { USER_STATUSES } from './users-store-type.js';

/** Largest id the monolith accepts; the same bound here keeps the two implementations' 400/404 answers identical. */
export const MAX_ID = 2_147_483_647;

/** A path id: canonical decimal (no sign, no leading zero), within INT range. Parse with code INVALID_ID. */
export const userIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')
  .transform(Number)
  .refine((id) => id <= MAX_ID, `must be at most ${MAX_ID}`);

// Trim first, then validate what will be stored.
const email = z.string().trim().pipe(z.email().max(254));
const fullName = z.string().trim().min(1).max(200);
const password = z.string().min(8).max(128);

export const createUserSchema = z.strictObject({ email, fullName, password });

export const updateUserSchema = z
  .strictObject({
    email: email.optional(),
    fullName: fullName.optional(),
    password: password.optional(),
    status: z.enum(USER_STATUSES).optional(),
  })
  .refine((patch) => Object.values(patch).some((value) => value !== undefined), 'at least one field is required');

/** Query values arrive as strings (or arrays when repeated); only plain decimal strings are accepted. */
const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

// z.object (not strict): unknown query parameters are ignored.
export const listUsersQuerySchema = z.object({
  email: email.optional(),
  page: queryInt(1, MAX_ID).default(1),
  pageSize: queryInt(1, 100).default(20),
});

export type CreateUserBody = z.output<typeof createUserSchema>;
export type UpdateUserBody = z.output<typeof updateUserSchema>;
export type ListUsersQuery = z.output<typeof listUsersQuerySchema>;
