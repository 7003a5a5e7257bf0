import { z } from 'zod';
import { describeIssues } from '@strangler/platform';
import { PoisonRecordError } from '../errors.js';

/** A row image as Debezium's JSON converter (schemas disabled) writes it: column name → value. */
export type Row = Record<string, unknown>;

/** Debezium's op codes: create, update, delete, read (a snapshot row). */
export type ChangeOp = 'c' | 'u' | 'd' | 'r';

export interface RecordPosition {
  topic: string;
  partition: number;
  offset: number;
}

/** One validated change of one row of the monolith. */
export interface ChangeEvent {
  op: ChangeOp;
  /** The row before the change; null for c and r. May be partial (primary key only) with binlog_row_image=MINIMAL. */
  before: Row | null;
  /** The row after the change; null for d. */
  after: Row | null;
  database: string;
  table: string;
  /** When the change was written to the binlog. Whole seconds on MariaDB (binlog timestamps have no fraction). */
  sourceTsMs: number;
  /** Read by the initial (or an incremental) snapshot rather than streamed from the binlog. */
  snapshot: boolean;
  position: RecordPosition;
}

export type ParsedRecord = { kind: 'tombstone' } | { kind: 'change'; change: ChangeEvent };

const rowSchema = z.record(z.string(), z.unknown());

const envelopeSchema = z
  .object({
    op: z.string(),
    before: rowSchema.nullable().optional(),
    after: rowSchema.nullable().optional(),
    source: z.object({
      db: z.string().min(1),
      table: z.string().min(1),
      ts_ms: z.number().int().nonnegative(),
      // "first" | "true" | "last" | "last_in_data_collection" | "incremental" while snapshotting, "false" when streaming.
      snapshot: z.union([z.string(), z.boolean()]).nullable().optional(),
    }),
  })
  .superRefine((envelope, ctx) => {
    const needsAfter = envelope.op === 'c' || envelope.op === 'u' || envelope.op === 'r';
    if (needsAfter && !envelope.after) ctx.addIssue({ code: 'custom', path: ['after'], message: `op "${envelope.op}" needs an after image` });
    if (envelope.op === 'd' && !envelope.before) ctx.addIssue({ code: 'custom', path: ['before'], message: 'op "d" needs a before image' });
  });

function isSnapshot(flag: string | boolean | null | undefined): boolean {
  if (flag === undefined || flag === null || flag === false) return false;
  return flag !== 'false';
}

/**
 * Turns one Kafka record of a Debezium change topic into a change, or a tombstone (the null-valued record that
 * follows a delete, for log compaction). Throws PoisonRecordError for anything else: retrying cannot fix it.
 */
export function parseChangeRecord(value: Buffer | string | null, position: RecordPosition): ParsedRecord {
  if (value === null || value.length === 0) return { kind: 'tombstone' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch (error) {
    throw new PoisonRecordError('INVALID_JSON', `value is not JSON: ${(error as Error).message}`);
  }
  // Debezium's JSON converter with schemas enabled wraps the envelope; accept it too (same content).
  if (typeof json === 'object' && json !== null && 'schema' in json && 'payload' in json) json = (json as { payload: unknown }).payload;
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) throw new PoisonRecordError('INVALID_ENVELOPE', `not a Debezium change envelope: ${describeIssues(parsed.error.issues)}`);
  const envelope = parsed.data;
  if (envelope.op !== 'c' && envelope.op !== 'u' && envelope.op !== 'd' && envelope.op !== 'r') {
    throw new PoisonRecordError('UNSUPPORTED_OPERATION', `op "${envelope.op}" (${envelope.source.db}.${envelope.source.table}) cannot be projected`);
  }
  return {
    kind: 'change',
    change: {
      op: envelope.op,
      before: envelope.before ?? null,
      after: envelope.after ?? null,
      database: envelope.source.db,
      table: envelope.source.table,
      sourceTsMs: envelope.source.ts_ms,
      snapshot: isSnapshot(envelope.source.snapshot),
      position,
    },
  };
}
