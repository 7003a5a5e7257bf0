import { z } from 'zod';
import { PoisonRecordError } from '../errors.js';
import type { ChangeEvent, Row } from './envelope.js';

/**
 * zod schemas for column values as Debezium's MariaDB connector encodes them with this pipeline's settings
 * (JSON converter, time.precision.mode adaptive, decimal.handling.mode=string, server in UTC).
 */
export const columns = {
  /** INT UNSIGNED AUTO_INCREMENT primary keys. */
  id: z.number().int().min(1).max(4_294_967_295),
  /** DATETIME(3) arrives as epoch milliseconds (io.debezium.time.Timestamp), read as UTC. */
  datetime: z
    .number()
    .int()
    .transform((ms) => new Date(ms)),
  /** TINYINT(1) / BOOLEAN arrives as 0 or 1. */
  flag: z.union([z.literal(0), z.literal(1), z.boolean()]).transform((value) => value === true || value === 1),
  /** INT UNSIGNED counters. */
  count: z.number().int().min(0).max(4_294_967_295),
  /** BIGINT UNSIGNED amounts: a number (bigint.unsigned.handling.mode=long) or a decimal string (precise + string mode). */
  amount: z
    .union([z.number(), z.string().regex(/^\d+$/, 'expected a whole number')])
    .transform(Number)
    .pipe(z.number().int().min(0).max(Number.MAX_SAFE_INTEGER)),
  string: z.string(),
};

/**
 * Validates the columns a projector needs from one row image. Columns the schema does not name are ignored (the
 * monolith may add columns at any time); a missing or mistyped required column is poison naming the column.
 */
export function readRow<S extends z.ZodRawShape>(change: ChangeEvent, image: 'before' | 'after', shape: S): z.output<z.ZodObject<S>> {
  const row: Row | null = change[image];
  if (!row) throw new PoisonRecordError('INVALID_ENVELOPE', `${change.table}: op "${change.op}" has no ${image} image`);
  const parsed = z.object(shape).safeParse(row);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.slice(0, 5).map((issue) => {
    const column = String(issue.path[0] ?? '?');
    const detail = row[column] === undefined ? 'missing' : issue.message;
    return `column "${column}": ${detail}`;
  });
  throw new PoisonRecordError('SCHEMA_MISMATCH', `${change.database}.${change.table} ${image}: ${problems.join('; ')}`);
}
