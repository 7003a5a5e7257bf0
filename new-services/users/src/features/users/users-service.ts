import { ConflictError, NotFoundError, hashPassword, isDuplicateKeyError } from '@strangler/platform';
import type { User, UserStatus, UsersStore } from './users-store-type.js';

export interface CreateUserInput {
  email: string;
  fullName: string;
  password: string;
}

export interface UpdateUserInput {
  email?: string;
  fullName?: string;
  password?: string;
  status?: UserStatus;
}

export interface ListUsersInput {
  email?: string;
  page: number;
  pageSize: number;
}

export interface UserPage {
  items: User[];
  page: number;
  pageSize: number;
  total: number;
}

export interface UsersServiceOptions {
  /** Clock for created_at/updated_at; injectable for tests. */
  now?: () => Date;
  hashPassword?: (password: string) => Promise<string>;
}

const emailTaken = (): ConflictError => new ConflictError('Email is already registered', 'EMAIL_TAKEN');
const userNotFound = (id: number): NotFoundError => new NotFoundError(`User ${id} not found`, 'USER_NOT_FOUND');

/**
 * The users rules, as the monolith has them. Input is already validated (see users-schema.ts); authorization is the
 * controller's. Messages and codes are the monolith's, word for word: clients cannot tell which implementation answered.
 */
export class UsersService {
  private readonly now: () => Date;
  private readonly hash: (password: string) => Promise<string>;

  constructor(
    private readonly store: UsersStore,
    options: UsersServiceOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.hash = options.hashPassword ?? hashPassword;
  }

  async create(input: CreateUserInput): Promise<User> {
    const passwordHash = await this.hash(input.password);
    try {
      // The unique index on the normalised email decides, which also covers two concurrent sign-ups.
      return await this.store.insert({ email: input.email, fullName: input.fullName, passwordHash, createdAt: this.now() });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw emailTaken();
      throw error;
    }
  }

  async get(id: number): Promise<User> {
    const user = await this.store.findById(id);
    if (!user) throw userNotFound(id);
    return user;
  }

  async list(input: ListUsersInput): Promise<UserPage> {
    const { items, total } = await this.store.list({
      email: input.email,
      limit: input.pageSize,
      offset: (input.page - 1) * input.pageSize,
    });
    return { items, page: input.page, pageSize: input.pageSize, total };
  }

  async update(id: number, input: UpdateUserInput): Promise<User> {
    // Existence (404) is checked before conflicts (409); hashing is wasted work for an unknown id.
    if (!(await this.store.findById(id))) throw userNotFound(id);
    const passwordHash = input.password === undefined ? undefined : await this.hash(input.password);
    let updated: User | undefined;
    try {
      updated = await this.store.update(id, {
        email: input.email,
        fullName: input.fullName,
        passwordHash,
        status: input.status,
        updatedAt: this.now(),
      });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw emailTaken();
      throw error;
    }
    // Deleted between the check and the update.
    if (!updated) throw userNotFound(id);
    return updated;
  }

  /**
   * Differs from the monolith on purpose: its DELETE answers 409 USER_HAS_ORDERS for a user with orders, but orders
   * still live in the monolith's database, which this service cannot see. So writes stay routed to the monolith
   * (the edge sends only reads here) until the orders slice is extracted and can be asked; see README.md.
   */
  async delete(id: number): Promise<void> {
    if (!(await this.store.findById(id))) throw userNotFound(id);
    if (!(await this.store.delete(id))) throw userNotFound(id);
  }
}
