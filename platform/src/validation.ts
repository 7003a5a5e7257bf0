import type { z } from 'zod';
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
