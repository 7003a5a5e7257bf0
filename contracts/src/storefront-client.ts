/**
 * The storefront's typed client of the public shop API — the consumer in our contracts.
 * Same client whichever implementation answers (legacy, a new service, or the edge in front of both).
 */

export interface Money {
  amountMinor: number;
  currency: string;
}

export interface User {
  id: number;
  email: string;
  fullName: string;
  status: 'active' | 'suspended';
  createdAt: string;
  updatedAt: string;
}

export interface Product {
  id: number;
  sku: string;
  name: string;
  description: string;
  price: Money;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface Stock {
  productId: number;
  quantity: number;
  reserved: number;
  available: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export interface LoginResult {
  token: string;
  tokenType: 'Bearer';
  expiresAt: string;
  user: User;
}

export interface NewUser {
  email: string;
  fullName: string;
  password: string;
}

export type UserChanges = Partial<Pick<User, 'email' | 'fullName' | 'status'>> & { password?: string };

export interface NewProduct {
  sku: string;
  name: string;
  description?: string;
  price: Money;
  active?: boolean;
}

export type ProductChanges = Partial<NewProduct>;

export interface PageQuery {
  page?: number;
  pageSize?: number;
}

/** A non-2xx answer, carrying the API's stable error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface StorefrontClientOptions {
  /** Bearer token sent with every request that needs one. */
  token?: string;
  fetch?: typeof fetch;
}

export function createStorefrontClient(baseUrl: string, options: StorefrontClientOptions = {}) {
  const doFetch = options.fetch ?? fetch;
  const root = baseUrl.replace(/\/$/, '');

  async function call<T>(method: string, path: string, body?: unknown, authenticated = false): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (authenticated && options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await doFetch(`${root}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    const json: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) {
      const error = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? 'UNKNOWN', error?.message ?? response.statusText);
    }
    return json as T;
  }

  const query = (params: object): string => {
    const entries = Object.entries(params)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]): [string, string] => [key, String(value)]);
    return entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
  };

  return {
    createUser: (user: NewUser) => call<User>('POST', '/api/users', user),
    getUser: (id: number) => call<User>('GET', `/api/users/${id}`),
    findUsers: (params: PageQuery & { email?: string } = {}) => call<Page<User>>('GET', `/api/users${query(params)}`),
    updateUser: (id: number, changes: UserChanges) => call<User>('PATCH', `/api/users/${id}`, changes, true),
    deleteUser: (id: number) => call<void>('DELETE', `/api/users/${id}`, undefined, true),
    login: (email: string, password: string) => call<LoginResult>('POST', '/api/auth/login', { email, password }),

    listProducts: (params: PageQuery & { q?: string } = {}) => call<Page<Product>>('GET', `/api/products${query(params)}`),
    getProduct: (id: number) => call<Product>('GET', `/api/products/${id}`),
    createProduct: (product: NewProduct) => call<Product>('POST', '/api/products', product),
    updateProduct: (id: number, changes: ProductChanges) => call<Product>('PATCH', `/api/products/${id}`, changes),
    deleteProduct: (id: number) => call<void>('DELETE', `/api/products/${id}`),
    getStock: (productId: number) => call<Stock>('GET', `/api/products/${productId}/stock`),
    setStock: (productId: number, quantity: number) => call<Stock>('PUT', `/api/products/${productId}/stock`, { quantity }),
  };
}

export type StorefrontClient = ReturnType<typeof createStorefrontClient>;
