import { z } from 'zod';
import { paginationQuery } from '@strangler/platform';
import { USER_STATUSES } from './users-store-type.js';

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

// z.object (not strict): unknown query parameters are ignored.
export const listUsersQuerySchema = z.object({
  email: email.optional(),
  ...paginationQuery,
});

export type CreateUserBody = z.output<typeof createUserSchema>;
export type UpdateUserBody = z.output<typeof updateUserSchema>;
export type ListUsersQuery = z.output<typeof listUsersQuerySchema>;
