/**
 * Provider-state sentences, shared by the consumer tests (which put them in the pact) and the state handlers (which
 * set them up), so a typo cannot silently leave a state unhandled. `{name}` marks a parameter passed alongside.
 */
export const USER_STATES = {
  userExists: 'a user with id {id} exists',
  noUserWithId: 'no user with id {id} exists',
  noUserWithEmail: 'no user with email {email} exists',
  /** Returns `{ token }`: a bearer token of that user, for `fromProviderState('Bearer ${token}', ...)`. */
  authenticatedAs: 'the caller is authenticated as user {id}',
} as const;

export const CATALOG_STATES = {
  productExists: 'a product with id {id} exists',
  noProductWithId: 'no product with id {id} exists',
  noProductWithSku: 'no product with sku {sku} exists',
  stock: 'product {id} has {quantity} in stock with {reserved} reserved',
  onlyProducts: 'the catalog contains only the products {products}',
} as const;
