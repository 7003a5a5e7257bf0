import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AppError, hashPassword } from '@strangler/platform';
import { FakeUsersStore } from '../users/fake-users-store.js';
import type { UsersService } from '../users/users-service.js';
import { AuthService } from './auth-service.js';
import { createFakeAuthService } from './create-auth-service.js';
import { createTokenService, type TokenService } from './tokens.js';

async function appError(promise: Promise<unknown>): Promise<{ statusCode: number; code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const { statusCode, code, message } = error as AppError;
    return { statusCode, code, message };
  }
  throw new Error('expected an AppError');
}

describe('AuthService.login', () => {
  let clock: Date;
  let auth: AuthService;
  let users: UsersService;
  let tokens: TokenService;
  beforeEach(() => {
    clock = new Date('2024-06-01T12:00:00.000Z');
    ({ service: auth, users, tokens } = createFakeAuthService({ now: () => clock, ttlSeconds: 600 }));
  });

  it('issues a token for the user, expiring after the ttl, and returns the user without the hash', async () => {
    const user = await users.create({ email: 'ann@example.com', fullName: 'Ann', password: 'password1' });
    const result = await auth.login({ email: 'ann@example.com', password: 'password1' });
    expect(result).toEqual({ token: expect.any(String), expiresAt: new Date('2024-06-01T12:10:00.000Z'), user });
    expect(result.user).not.toHaveProperty('passwordHash');
    expect(await tokens.verify(result.token)).toBe(user.id);
  });

  it('finds the user whatever the letter case of the email', async () => {
    const user = await users.create({ email: 'Ann@Example.com', fullName: 'Ann', password: 'password1' });
    expect((await auth.login({ email: 'ann@EXAMPLE.com', password: 'password1' })).user.id).toBe(user.id);
  });

  it('answers a wrong password and an unknown email identically: 401 INVALID_CREDENTIALS', async () => {
    await users.create({ email: 'ann@example.com', fullName: 'Ann', password: 'password1' });
    const wrongPassword = await appError(auth.login({ email: 'ann@example.com', password: 'password2' }));
    const unknownEmail = await appError(auth.login({ email: 'bob@example.com', password: 'password1' }));
    expect(wrongPassword).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: expect.any(String) });
    expect(unknownEmail).toEqual(wrongPassword);
  });

  it('still verifies a password (against a dummy hash) for an unknown email', async () => {
    const verify = vi.fn(async () => false);
    const dummyHash = hashPassword('dummy-password');
    const service = new AuthService(new FakeUsersStore(), tokens, { verifyPassword: verify, dummyHash });
    expect((await appError(service.login({ email: 'nobody@example.com', password: 'guess1234' }))).code).toBe('INVALID_CREDENTIALS');
    expect(verify).toHaveBeenCalledExactlyOnceWith('guess1234', await dummyHash);
  });

  it('refuses a suspended user with the right password: 403 USER_SUSPENDED', async () => {
    const user = await users.create({ email: 'sus@example.com', fullName: 'Sus', password: 'password1' });
    await users.update(user.id, { status: 'suspended' });
    expect(await appError(auth.login({ email: 'sus@example.com', password: 'password1' }))).toEqual({
      statusCode: 403,
      code: 'USER_SUSPENDED',
      message: expect.any(String),
    });
  });

  it('does not reveal suspension to a wrong password: 401', async () => {
    const user = await users.create({ email: 'sus@example.com', fullName: 'Sus', password: 'password1' });
    await users.update(user.id, { status: 'suspended' });
    expect((await appError(auth.login({ email: 'sus@example.com', password: 'wrong-password' }))).code).toBe('INVALID_CREDENTIALS');
  });

  it('logs in with a changed password and no longer with the old one', async () => {
    const user = await users.create({ email: 'ch@example.com', fullName: 'Ch', password: 'password1' });
    await users.update(user.id, { password: 'password2' });
    expect((await auth.login({ email: 'ch@example.com', password: 'password2' })).user.id).toBe(user.id);
    expect((await appError(auth.login({ email: 'ch@example.com', password: 'password1' }))).code).toBe('INVALID_CREDENTIALS');
  });

  it('issues tokens that expire by the injected clock', async () => {
    const user = await users.create({ email: 'exp@example.com', fullName: 'Exp', password: 'password1' });
    const { token } = await auth.login({ email: 'exp@example.com', password: 'password1' });
    clock = new Date('2024-06-01T12:09:59.000Z');
    expect(await tokens.verify(token)).toBe(user.id);
    clock = new Date('2024-06-01T12:10:01.000Z');
    expect(await appError(tokens.verify(token))).toEqual({ statusCode: 401, code: 'TOKEN_EXPIRED', message: expect.any(String) });
  });

  it('issues tokens another token service with a different key rejects', async () => {
    await users.create({ email: 'k@example.com', fullName: 'K', password: 'password1' });
    const { token } = await auth.login({ email: 'k@example.com', password: 'password1' });
    const stranger = createTokenService({ secret: 'another-secret-another-secret-another-1', issuer: 'strangler-legacy', ttlSeconds: 600, now: () => clock });
    expect((await appError(stranger.verify(token))).code).toBe('INVALID_TOKEN');
  });
});
