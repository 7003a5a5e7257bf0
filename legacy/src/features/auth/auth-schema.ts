import { z } from 'zod';

// Same email rule as sign-up; the password is not held to the sign-up policy (that may change), only bounded.
export const loginSchema = z.strictObject({
  email: z.string().trim().pipe(z.email().max(254)),
  password: z.string().min(1).max(1024),
});

export type LoginBody = z.output<typeof loginSchema>;
