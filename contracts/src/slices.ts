/**
 * What the contracts cover: the storefront (consumer) and, per strangled slice, the provider name in the pact and the
 * implementations that must all honour it. A slice's new service may only take traffic once it verifies.
 */
export const CONSUMER = 'storefront';

export const SLICES = [
  { slice: 'users', provider: 'users-api', implementations: ['legacy', 'users-service'] },
  { slice: 'catalog', provider: 'catalog-api', implementations: ['legacy', 'catalog-service'] },
] as const;

export type Slice = (typeof SLICES)[number];
export type ProviderName = Slice['provider'];

/** Every (provider, implementation) pair that is verified, in a stable order. */
export function verificationTargets(): Array<{ slice: string; provider: string; implementation: string }> {
  return SLICES.flatMap((s) => s.implementations.map((implementation) => ({ slice: s.slice, provider: s.provider, implementation })));
}
