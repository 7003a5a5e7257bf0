import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.js';

describe('password hashing', () => {
  it('stores scrypt parameters, a salt and the key, never the password', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(hash).not.toContain('correct horse');
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
  });

  it('verifies the right password only', async () => {
    const hash = await hashPassword('correct horse');
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('Correct horse', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('verifies a hash stored before the move to platform (the one contracts/src/provider/stores/seed-values.ts seeds)', async () => {
    const seeded = 'scrypt$16384$8$1$Y29udHJhY3RzLXNhbHQtMQ==$AVVuGMQ3CbaBMmL4XCx/XNIhrnGWNR3h7AMT/Xdr0yU=';
    expect(await verifyPassword('contract-password', seeded)).toBe(true);
    expect(await verifyPassword('contract-password2', seeded)).toBe(false);
  });

  it.each(['', 'plain', 'bcrypt$1$2$3$4$5', 'scrypt$16384$8$1$'])('refuses a malformed stored value %j', async (stored) => {
    expect(await verifyPassword('anything', stored)).toBe(false);
  });
});
