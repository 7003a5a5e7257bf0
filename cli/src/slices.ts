import type { LoadedSlice } from '@strangler/platform/slices';

/**
 * The strangled slices as the CLI drives them: read from the slice manifests (slices/<name>.json, SLICES_DIR),
 * the same files the edge routes by. Never a list in code.
 */
export interface SliceSpec {
  /** users, catalog, … (also the `slice` of the contracts). */
  name: string;
  /** The Unleash flag routing its reads (the manifest's `flags.reads`): users.reads. */
  flag: string;
  /** Base URL of the monolith that serves the slice today. */
  legacy: string;
  /** Base URL of the extracted service. */
  service: string;
}

export function sliceSpecs(manifests: readonly LoadedSlice[]): SliceSpec[] {
  return manifests.map((slice) => ({ name: slice.name, flag: slice.flags.reads, legacy: slice.urls.legacy, service: slice.urls.service }));
}

/** Every flag `strangler init` keeps in shape: one per slice. */
export function declaredFlags(slices: readonly SliceSpec[]): string[] {
  return [...new Set(slices.map((slice) => slice.flag))];
}
