import { describe, expect, it } from 'vitest';
import { classifyError, PoisonRecordError } from './errors.js';

const dbError = (code: string, sqlState: string, sqlMessage = 'message') => Object.assign(new Error(sqlMessage), { code, sqlState, sqlMessage });

describe('classifyError', () => {
  it('poison: PoisonRecordError keeps its code', () => {
    expect(classifyError(new PoisonRecordError('SCHEMA_MISMATCH', 'column "email": missing'))).toEqual({
      kind: 'poison',
      code: 'SCHEMA_MISMATCH',
      message: 'column "email": missing',
    });
  });

  it.each([
    ['ER_DATA_TOO_LONG', '22001'],
    ['ER_TRUNCATED_WRONG_VALUE', '22007'],
    ['ER_DUP_ENTRY', '23000'],
    ['ER_CONSTRAINT_FAILED', '23000'],
    ['ER_SOMETHING_NEW', '22003'],
  ])('poison: the database rejecting the values (%s) is DATA_REJECTED', (code, sqlState) => {
    expect(classifyError(dbError(code, sqlState, "Data too long for column 'email' at row 1"))).toEqual({
      kind: 'poison',
      code: 'DATA_REJECTED',
      message: `${code}: Data too long for column 'email' at row 1`,
    });
  });

  it.each([
    ['ER_LOCK_DEADLOCK', '40001'],
    ['ER_LOCK_WAIT_TIMEOUT', 'HY000'],
    ['PROTOCOL_CONNECTION_LOST', ''],
    ['ECONNREFUSED', ''],
    ['ER_SP_DOES_NOT_EXIST', '42000'],
  ])('transient: %s', (code, sqlState) => {
    expect(classifyError(dbError(code, sqlState))).toEqual({ kind: 'transient', reason: code });
  });

  it('transient: knex pool timeout', () => {
    const error = Object.assign(new Error('Knex: Timeout acquiring a connection'), { name: 'KnexTimeoutError' });
    expect(classifyError(error).kind).toBe('transient');
  });

  it('unknown (retried, never dead-lettered): a bug or an unexpected database error', () => {
    expect(classifyError(new TypeError('x is undefined'))).toEqual({ kind: 'unknown', reason: 'TypeError' });
    expect(classifyError(dbError('ER_NO_SUCH_TABLE', '42S02'))).toEqual({ kind: 'unknown', reason: 'ER_NO_SUCH_TABLE' });
  });
});
