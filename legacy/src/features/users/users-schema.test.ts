import { describe, expect, it } from 'vitest';
import { AppError, parseInput, pathIdSchema } from '@strangler/platform';
import { createUserSchema, listUsersQuerySchema, updateUserSchema } from './users-schema.js';

function errorOf(run: () => unknown): { statusCode: number; code: string } {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { statusCode: (error as AppError).statusCode, code: (error as AppError).code };
  }
  throw new Error('expected a ValidationError');
}

const emailOfLength = (length: number): string => `${'a'.repeat(length - '@example.com'.length)}@example.com`;
const valid = { email: 'ann@example.com', fullName: 'Ann', password: 'password1' };

describe('user ids in paths (pathIdSchema)', () => {
  it.each([
    ['1', 1],
    ['42', 42],
    ['2147483647', 2_147_483_647],
  ])('accepts %s', (raw, id) => {
    expect(parseInput(pathIdSchema, raw, 'INVALID_ID')).toBe(id);
  });

  it.each(['0', '01', '-1', '+1', '1.5', '1e3', 'abc', '', ' 1', '2147483648', '9999999999', '12345678901'])('rejects %j with 400 INVALID_ID', (raw) => {
    expect(errorOf(() => parseInput(pathIdSchema, raw, 'INVALID_ID'))).toEqual({ statusCode: 400, code: 'INVALID_ID' });
  });
});

describe('createUserSchema', () => {
  it('trims email and fullName but not the password', () => {
    expect(parseInput(createUserSchema, { email: '  Ann@Example.com ', fullName: '  Ann Lee ', password: '  spaced  ' })).toEqual({
      email: 'Ann@Example.com',
      fullName: 'Ann Lee',
      password: '  spaced  ',
    });
  });

  it('accepts the boundary lengths', () => {
    const body = { email: emailOfLength(254), fullName: 'x'.repeat(200), password: 'p'.repeat(128) };
    expect(parseInput(createUserSchema, body)).toEqual(body);
    expect(parseInput(createUserSchema, { ...valid, fullName: 'x', password: 'p'.repeat(8) })).toEqual({ ...valid, fullName: 'x', password: 'pppppppp' });
  });

  it.each([
    ['an unknown field', { ...valid, role: 'admin' }],
    ['a missing email', { fullName: 'Ann', password: 'password1' }],
    ['a missing fullName', { email: 'ann@example.com', password: 'password1' }],
    ['a missing password', { email: 'ann@example.com', fullName: 'Ann' }],
    ['an invalid email', { ...valid, email: 'not-an-email' }],
    ['an email of 255 characters', { ...valid, email: emailOfLength(255) }],
    ['a non-string email', { ...valid, email: 42 }],
    ['a blank fullName', { ...valid, fullName: '   ' }],
    ['a fullName of 201 characters', { ...valid, fullName: 'x'.repeat(201) }],
    ['a password of 7 characters', { ...valid, password: 'p'.repeat(7) }],
    ['a password of 129 characters', { ...valid, password: 'p'.repeat(129) }],
    ['a null body', null],
    ['an array body', [valid]],
    ['no body', undefined],
  ])('rejects %s with 400 VALIDATION_FAILED', (_label, body) => {
    expect(errorOf(() => parseInput(createUserSchema, body))).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('updateUserSchema', () => {
  it('accepts any single field and trims like create', () => {
    expect(parseInput(updateUserSchema, { fullName: ' Bo ' })).toEqual({ fullName: 'Bo' });
    expect(parseInput(updateUserSchema, { email: ' b@example.com' })).toEqual({ email: 'b@example.com' });
    expect(parseInput(updateUserSchema, { password: 'password2' })).toEqual({ password: 'password2' });
    expect(parseInput(updateUserSchema, { status: 'suspended' })).toEqual({ status: 'suspended' });
    expect(parseInput(updateUserSchema, { status: 'active', fullName: 'X' })).toEqual({ status: 'active', fullName: 'X' });
  });

  it.each([
    ['an empty object', {}],
    ['an unknown field', { fullName: 'X', id: 3 }],
    ['an unknown status', { status: 'deleted' }],
    ['a null field', { fullName: null }],
    ['an invalid email', { email: 'nope' }],
    ['a blank fullName', { fullName: ' ' }],
    ['a short password', { password: 'short' }],
    ['no body', undefined],
  ])('rejects %s with 400 VALIDATION_FAILED', (_label, body) => {
    expect(errorOf(() => parseInput(updateUserSchema, body))).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('listUsersQuerySchema', () => {
  it('defaults page 1 and pageSize 20 and ignores unknown parameters', () => {
    expect(parseInput(listUsersQuerySchema, { sort: 'name' })).toEqual({ page: 1, pageSize: 20 });
  });

  it('parses the filters', () => {
    expect(parseInput(listUsersQuerySchema, { email: ' A@Example.com ', page: '3', pageSize: '100' })).toEqual({ email: 'A@Example.com', page: 3, pageSize: 100 });
    expect(parseInput(listUsersQuerySchema, { pageSize: '1' })).toEqual({ page: 1, pageSize: 1 });
  });

  it.each([
    { page: '0' },
    { page: '-1' },
    { page: '1.5' },
    { page: 'abc' },
    { page: '' },
    { page: '2147483648' },
    { page: ['1', '2'] },
    { pageSize: '0' },
    { pageSize: '101' },
    { pageSize: ' 5' },
    { email: 'not-an-email' },
    { email: '' },
  ])('rejects %j with 400 VALIDATION_FAILED', (query) => {
    expect(errorOf(() => parseInput(listUsersQuerySchema, query))).toEqual({ statusCode: 400, code: 'VALIDATION_FAILED' });
  });
});
