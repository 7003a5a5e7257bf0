import { z } from 'zod';
import { ValidationError } from './errors.js';

/** Formats zod issues as one short, stable sentence: "email: Invalid email address; fullName: Required". */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses untrusted input, throwing a 400 ValidationError that names the offending fields. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, code = 'VALIDATION_FAILED'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(describeIssues(result.error.issues), code);
  return result.data;
}

/**
 * The public API's conventions, shared by the monolith and every extracted service so their 400/404 answers agree.
 * Ids are INT primary keys: a path id is canonical decimal (no sign, no leading zero) within INT range.
 */
export const MAX_ID = 2_147_483_647;

/** A path id; parse it with code INVALID_ID. */
export const pathIdSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')
  .transform(Number)
  .refine((id) => id <= MAX_ID, `must be at most ${MAX_ID}`);

/** Query values arrive as strings (or arrays when repeated); only plain decimal strings are accepted. */
export const queryInt = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** `page` (from 1) and `pageSize` (1..100, default 20) of every list endpoint; spread into a z.object query schema. */
export const paginationQuery = {
  page: queryInt(1, MAX_ID).default(1),
  pageSize: queryInt(1, 100).default(20),
};
