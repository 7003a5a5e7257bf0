/**
 * How the runtime tells a record it must set aside (poison: retrying can never help) from a failure it must retry
 * (the database went away, a deadlock). Projectors translate their services' domain errors into PoisonRecordError;
 * the runtime classifies database errors itself.
 */

export type PoisonCode =
  /** Key or value is not JSON. */
  | 'INVALID_JSON'
  /** JSON, but not a Debezium change envelope. */
  | 'INVALID_ENVELOPE'
  /** An operation projectors cannot apply (truncate, message). */
  | 'UNSUPPORTED_OPERATION'
  /** A record of a table (or from a topic) this projector does not consume. */
  | 'UNEXPECTED_TABLE'
  /** A required column is missing or has the wrong type (schema drift in the monolith). */
  | 'SCHEMA_MISMATCH'
  /** The target holds a row this change must not overwrite (users: email/id taken by another account). */
  | 'PROJECTION_CONFLICT'
  /** catalog: the legacy id is taken by a product created through the service's own API. */
  | 'LEGACY_ID_CONFLICT'
  /** The target database rejected the values (too long, out of range, duplicate, constraint). */
  | 'DATA_REJECTED';

export class PoisonRecordError extends Error {
  constructor(
    readonly code: PoisonCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PoisonRecordError';
  }
}

export type ErrorClass =
  | { kind: 'poison'; code: string; message: string }
  /** Known to pass: roll back, back off, retry. */
  | { kind: 'transient'; reason: string }
  /** Not recognised (a bug, an unexpected database error): retried like a transient one, never dead-lettered. */
  | { kind: 'unknown'; reason: string };

/** Connection loss, locking and server-side interruptions: the same batch will succeed later. */
const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_QUERY_INTERRUPTED',
  'ER_CONNECTION_KILLED',
  'ER_NET_READ_INTERRUPTED',
  'ER_NET_WRITE_INTERRUPTED',
  // A deadlock rolls the whole transaction back in InnoDB, so the savepoint it was caught in is gone too.
  'ER_SP_DOES_NOT_EXIST',
]);

/** Errors about the values themselves: the same record fails the same way every time. */
const DATA_CODES = new Set([
  'ER_DATA_TOO_LONG',
  'ER_TRUNCATED_WRONG_VALUE',
  'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD',
  'ER_WARN_DATA_OUT_OF_RANGE',
  'ER_WARN_DATA_TRUNCATED',
  'ER_DUP_ENTRY',
  'ER_BAD_NULL_ERROR',
  'ER_NO_DEFAULT_FOR_FIELD',
  'ER_CONSTRAINT_FAILED',
  'ER_CHECK_CONSTRAINT_VIOLATED',
  'ER_NO_REFERENCED_ROW_2',
  'ER_ROW_IS_REFERENCED_2',
  'ER_INVALID_CHARACTER_STRING',
]);

export function classifyError(error: unknown): ErrorClass {
  if (error instanceof PoisonRecordError) return { kind: 'poison', code: error.code, message: error.message };
  const { code, sqlState, sqlMessage, name, message } = (error ?? {}) as {
    code?: unknown;
    sqlState?: unknown;
    sqlMessage?: unknown;
    name?: unknown;
    message?: unknown;
  };
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return { kind: 'transient', reason: code };
  if (name === 'KnexTimeoutError') return { kind: 'transient', reason: 'KnexTimeoutError' };
  // SQLSTATE class 22 = data exception, 23 = integrity constraint violation.
  if (typeof code === 'string' && (DATA_CODES.has(code) || (typeof sqlState === 'string' && /^2[23]/.test(sqlState)))) {
    return { kind: 'poison', code: 'DATA_REJECTED', message: `${code}: ${typeof sqlMessage === 'string' ? sqlMessage : String(message)}` };
  }
  return { kind: 'unknown', reason: typeof code === 'string' ? code : typeof name === 'string' ? name : 'unknown' };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
