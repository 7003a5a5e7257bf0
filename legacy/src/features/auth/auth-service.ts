import { randomBytes } from 'node:crypto';
import { ForbiddenError, UnauthorizedError, hashPassword, verifyPassword } from '@strangler/platform';
import type { User, UsersStore } from '../users/users-store-type.js';
import type { TokenService } from './tokens.js';

export interface LoginInput {
  email: string;
  password: string;
}

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: User;
}

/** What login needs from the users data: a lookup by email that includes the hash. */
export type CredentialsLookup = Pick<UsersStore, 'findCredentialsByEmail'>;

export interface AuthServiceOptions {
  verifyPassword?: (password: string, stored: string) => Promise<boolean>;
  /** Hash checked for unknown emails so they take as long as known ones. */
  dummyHash?: Promise<string>;
}

let sharedDummyHash: Promise<string> | undefined;
function defaultDummyHash(): Promise<string> {
  // Same scheme and cost as real hashes; a random password nobody can know.
  sharedDummyHash ??= hashPassword(randomBytes(32).toString('base64'));
  return sharedDummyHash;
}

const invalidCredentials = (): UnauthorizedError => new UnauthorizedError('Email or password is incorrect', 'INVALID_CREDENTIALS');

export class AuthService {
  private readonly verify: (password: string, stored: string) => Promise<boolean>;
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly users: CredentialsLookup,
    private readonly tokens: TokenService,
    options: AuthServiceOptions = {},
  ) {
    this.verify = options.verifyPassword ?? verifyPassword;
    this.dummyHash = options.dummyHash ?? defaultDummyHash();
    // Computed up front so the first unknown-email login is not slower; a failure surfaces on first use.
    this.dummyHash.catch(() => undefined);
  }

  async login(input: LoginInput): Promise<LoginResult> {
    const found = await this.users.findCredentialsByEmail(input.email);
    if (!found) {
      await this.verify(input.password, await this.dummyHash);
      throw invalidCredentials();
    }
    if (!(await this.verify(input.password, found.passwordHash))) throw invalidCredentials();
    // Only after the password is proven, so the account's status is not disclosed to guessers.
    if (found.status === 'suspended') throw new ForbiddenError('User is suspended', 'USER_SUSPENDED');
    const { passwordHash: _passwordHash, ...user } = found;
    const issued = await this.tokens.issue(user.id);
    return { token: issued.token, expiresAt: issued.expiresAt, user };
  }
}
