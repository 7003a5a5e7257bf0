import { loadSlices, type LoadedSlice } from '@strangler/platform/slices';

/**
 * What the contracts cover, read from the slice manifests (slices/*.json, `pacts`): per strangled slice, the
 * provider name in its HTTP pact and the implementations that must all honour it (legacy and the slice's service).
 * A slice's new service may only take traffic once it verifies.
 */
export const CONSUMER = 'storefront';

export interface ContractSlice {
  slice: string;
  consumer: string;
  provider: string;
  /** legacy first, then the service (its `service.name`). */
  implementations: string[];
}

export function contractSlices(slices: readonly LoadedSlice[] = loadSlices()): ContractSlice[] {
  return slices.map((slice) => ({
    slice: slice.name,
    consumer: slice.pacts.http.consumer,
    provider: slice.pacts.http.provider,
    implementations: ['legacy', slice.service.name],
  }));
}

/** The repository's slices. */
export const SLICES: readonly ContractSlice[] = contractSlices();

export type Slice = ContractSlice;
export type ProviderName = string;

/** Every (provider, implementation) pair that is verified, in a stable order. */
export function verificationTargets(slices: readonly ContractSlice[] = SLICES): Array<{ slice: string; provider: string; implementation: string }> {
  return slices.flatMap((s) => s.implementations.map((implementation) => ({ slice: s.slice, provider: s.provider, implementation })));
}
